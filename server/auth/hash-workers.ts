// scrypt on threads of our own instead of libuv's pool, which file I/O shares (4 threads unless
// UV_THREADPOOL_SIZE says otherwise): a login flood then cannot leave blob reads waiting for a
// thread. Each worker lowers its own thread's priority (nice 19; on Linux a thread's nice value is
// its own), so under CPU contention the event loop comes first and hashing takes what is left.
// node:worker_threads with an inline (eval) script works alike on Node and Deno, and in the
// esbuild bundle, which has no separate file to load.
import { Worker } from "node:worker_threads";

export interface ScryptJob {
  password: string;
  salt: Buffer;
  n: number;
  r: number;
  p: number;
  keyLength: number;
}

const SOURCE = `
const { parentPort } = require("node:worker_threads");
const { scryptSync } = require("node:crypto");
try { require("node:os").setPriority(0, 19); } catch {}
parentPort.on("message", (job) => {
  try {
    const maxmem = 128 * job.n * job.r + 1024 * 1024;
    const key = scryptSync(job.password, Buffer.from(job.salt), job.keyLength, { N: job.n, r: job.r, p: job.p, maxmem });
    parentPort.postMessage({ key });
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
});
`;

/** One worker thread running one derivation at a time (callers queue in front of it). */
class HashWorker {
  private worker?: Worker;

  derive(job: ScryptJob): Promise<Buffer> {
    const worker = (this.worker ??= this.start());
    return new Promise((resolveKey, reject) => {
      const onExit = () => reject(new Error("password hashing worker stopped"));
      worker.once("exit", onExit);
      worker.once("message", (answer: { key?: Uint8Array; error?: string }) => {
        worker.off("exit", onExit);
        worker.unref();
        if (answer.key) resolveKey(Buffer.from(answer.key));
        else reject(new Error(answer.error ?? "scrypt failed"));
      });
      worker.ref(); // busy: keep the process up until the answer comes
      worker.postMessage(job);
    });
  }

  private start(): Worker {
    const worker = new Worker(SOURCE, { eval: true });
    worker.unref(); // idle workers never keep the process alive
    // A worker that dies (say, out of memory) fails its job through "exit"; the next job starts
    // a new one. Without a listener, its "error" would be thrown in the main thread.
    worker.on("error", (err) => console.error("password hashing worker failed", err));
    worker.once("exit", () => (this.worker = undefined));
    return worker;
  }
}

/** `size` workers; `derive` takes any idle one (the caller's queue bounds how many are busy). */
export class HashWorkers {
  private readonly idle: HashWorker[];

  constructor(size: number) {
    this.idle = Array.from({ length: size }, () => new HashWorker());
  }

  async derive(job: ScryptJob): Promise<Buffer> {
    const worker = this.idle.pop();
    if (!worker) throw new Error("no idle hashing worker (callers must queue)");
    try {
      return await worker.derive(job);
    } finally {
      this.idle.push(worker);
    }
  }
}
