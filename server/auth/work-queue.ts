// Runs at most `concurrency` tasks at once; up to `maxWaiting` more wait their turn (first come,
// first served) and any beyond that are refused at once instead of queueing without end.
export class WorkQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
    private readonly refuse: () => Error,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) throw this.refuse();
      await new Promise<void>((resolveTurn) => this.waiting.push(resolveTurn));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next in line (the running count stays the same).
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
