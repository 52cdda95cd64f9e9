// Everything the benchmark starts (servers, temp dirs) registers how to stop it here, so it is
// stopped at the end, on failure, and on Ctrl-C / SIGTERM.
type Stopper = () => Promise<void> | void;

const stoppers: { label: string; stop: Stopper }[] = [];
let signalled = false;
let signalledAt = 0;

/** Registers a stop function; returns one that runs it once and unregisters it. */
export function onCleanup(label: string, stop: Stopper): () => Promise<void> {
  const entry = { label, stop };
  stoppers.push(entry);
  return async () => {
    const i = stoppers.indexOf(entry);
    if (i < 0) return;
    stoppers.splice(i, 1);
    await entry.stop();
  };
}

let running: Promise<void> | undefined;

/**
 * Stops everything still registered, newest first; errors are reported, not thrown. Callers
 * that arrive while a cleanup runs (a signal and the failing main flow) wait for the same one.
 */
export function cleanupAll(): Promise<void> {
  running ??= (async () => {
    while (stoppers.length > 0) {
      const entry = stoppers.pop()!;
      try {
        await entry.stop();
      } catch (err) {
        console.error(`bench: stopping ${entry.label} failed:`, err instanceof Error ? err.message : err);
      }
    }
  })().finally(() => {
    running = undefined;
  });
  return running;
}

/** True once a signal asked everything to stop. */
export function stopping(): boolean {
  return signalled;
}

export function installSignalHandlers(): void {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (signalled) {
        // tsx repeats a signal it thinks went unnoticed; only a later one (a second Ctrl-C) forces.
        if (Date.now() - signalledAt < 2000) return;
        console.error(`bench: second ${signal}, exiting without waiting for the cleanup`);
        process.exit(130);
      }
      signalled = true;
      signalledAt = Date.now();
      console.error(`\nbench: ${signal}, stopping everything it started (removing 100 000 directories can take a minute)`);
      const force = setTimeout(() => process.exit(130), 180_000);
      void cleanupAll().finally(() => {
        clearTimeout(force);
        console.error("bench: stopped");
        process.exit(130);
      });
    });
  }
}

/** Kills a short-lived child (wrk, curl, skopeo) if everything is stopped while it runs. */
export function trackChild(child: import("node:child_process").ChildProcess, label: string): void {
  const entry = {
    label,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
  stoppers.push(entry);
  child.once("exit", () => {
    const i = stoppers.indexOf(entry);
    if (i >= 0) stoppers.splice(i, 1);
  });
}
