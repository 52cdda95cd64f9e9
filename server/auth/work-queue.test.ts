import { describe, expect, it } from "vitest";
import { WorkQueue } from "./work-queue.ts";

describe("WorkQueue", () => {
  it("runs at most `concurrency` tasks at once, queues up to `maxWaiting`, refuses the rest", async () => {
    const queue = new WorkQueue(2, 3, () => new Error("busy"));
    let running = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const task = () =>
      queue.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => releases.push(r));
        running--;
        return "done";
      });
    const accepted = Array.from({ length: 5 }, task);
    await expect(task()).rejects.toThrow("busy");
    await new Promise((r) => setImmediate(r));
    expect(running).toBe(2);
    // Release one at a time; each frees a slot for the next in line.
    while (releases.length > 0) {
      releases.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(accepted)).toEqual(Array(5).fill("done"));
    expect(peak).toBe(2);
    await expect(queue.run(async () => "ran")).resolves.toBe("ran"); // hangs unless slots were freed
  });

  it("frees the slot when a task fails", async () => {
    const queue = new WorkQueue(1, 0, () => new Error("busy"));
    await expect(queue.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(queue.run(async () => "ok")).resolves.toBe("ok");
  });
});
