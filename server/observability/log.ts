// The process's one logger (pino): a JSON object a line for log collectors, or short readable
// lines when stdout is a terminal. Process-wide like stdout itself, so error handlers and jobs
// import it directly instead of threading it through every door.
import process from "node:process";
import pino, { type DestinationStream, type Logger } from "pino";

const LEVEL_NAMES: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };

/** Fields shown in the readable line's head rather than repeated in its tail. */
const HEAD_FIELDS = new Set(["level", "time", "msg", "pid", "hostname"]);

/** One JSON line as `12:00:01.234 INFO  message key=value …`, for a person at a terminal. */
export function readableLine(json: string): string {
  const entry = JSON.parse(json) as Record<string, unknown>;
  const time = new Date(entry.time as number).toISOString().slice(11, 23);
  const level = (LEVEL_NAMES[entry.level as number] ?? String(entry.level)).padEnd(5);
  const rest = Object.entries(entry)
    .filter(([key]) => !HEAD_FIELDS.has(key))
    .map(([key, value]) => {
      if (key === "err" && value && typeof value === "object" && "stack" in value) return `\n${String(value.stack)}`;
      return `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`;
    });
  return `${time} ${level} ${entry.msg ?? ""}${rest.length ? ` ${rest.join(" ")}` : ""}\n`;
}

function destination(): DestinationStream {
  if (process.stdout.isTTY) return { write: (line: string) => void process.stdout.write(readableLine(line)) };
  // Written as soon as the previous write is done, so a busy server batches lines instead of
  // making a system call for each; pino writes out the rest synchronously at exit.
  return pino.destination({ dest: 1, sync: false });
}

export const log: Logger = pino({ base: undefined, messageKey: "msg" }, destination());

