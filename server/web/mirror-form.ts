// What the repository and organization Mirroring pages read alike: the boxes of the settings form
// as typed, the schedule (interval in a unit, start date in UTC), and which settings an edit
// really changes (each change is a log row; the password only when one is typed).
import { INTERVAL_UNITS } from "../../views/partials/mirror-fields.tsx";
import type { WebContext } from "./session.ts";

/** Quay's default schedule: once a day. */
export const DEFAULT_INTERVAL_S = 86_400;

/** `YYYY-MM-DDTHH:MM` in UTC, as a datetime-local box holds it. */
export const localValue = (date: Date) => date.toISOString().slice(0, 16);

/** The interval in the largest unit it is a whole number of (minutes when none is). */
export function intervalValue(seconds: number): { value: string; unit: string } {
  const unit = [...INTERVAL_UNITS].reverse().find((u) => seconds % Number(u.value) === 0) ?? INTERVAL_UNITS[0]!;
  return { value: String(seconds / Number(unit.value)), unit: unit.value };
}

type ScheduleBoxes = { sync_interval: string; sync_interval_unit: string; sync_start_date: string };

type Boxes = ScheduleBoxes & { external_registry_username: string; http_proxy: string; https_proxy: string; no_proxy: string };

/**
 * The form's text boxes (trimmed) and checkboxes as posted, with what the boxes both forms share
 * mean: the schedule (or each box's problem; `dateMessage` is the API's words for a bad date) and
 * the upstream access (credentials, TLS, proxies).
 */
export async function readMirrorForm<T extends string, K extends string>(c: WebContext, texts: readonly T[], checks: readonly K[], dateMessage: string) {
  const body = await c.req.parseBody();
  const values = Object.fromEntries(texts.map((name) => [name, String(body[name] ?? "").trim()])) as Record<T, string>;
  const checked = Object.fromEntries(checks.map((name) => [name, body[name] !== undefined])) as Record<K, boolean>;
  const v = values as Record<T, string> & Boxes;
  const orNull = (value: string) => value || null;
  return {
    values,
    checks: checked,
    schedule: readSchedule(v, dateMessage),
    access: {
      username: orNull(v.external_registry_username),
      password: orNull(String(body.external_registry_password ?? "")),
      verifyTls: body.verify_tls !== undefined,
      httpProxy: orNull(v.http_proxy),
      httpsProxy: orNull(v.https_proxy),
      noProxy: orNull(v.no_proxy),
    },
  };
}

/** The schedule the boxes mean, or each box's problem (`dateMessage`: the API's words for a bad date). */
export function readSchedule(v: ScheduleBoxes, dateMessage: string): { syncIntervalS: number; syncStartDate: Date } | { errors: Partial<Record<keyof ScheduleBoxes, string>> } {
  const errors: Partial<Record<keyof ScheduleBoxes, string>> = {};
  const unit = Number(INTERVAL_UNITS.find((u) => u.value === v.sync_interval_unit)?.value ?? DEFAULT_INTERVAL_S);
  const interval = Number(v.sync_interval);
  if (v.sync_interval === "" || !Number.isFinite(interval)) errors.sync_interval = "Enter the interval as a number";
  const start = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(v.sync_start_date) ? new Date(`${v.sync_start_date}Z`) : null;
  if (!start || Number.isNaN(start.getTime())) errors.sync_start_date = dateMessage;
  return Object.keys(errors).length > 0 ? { errors } : { syncIntervalS: Math.round(interval * unit), syncStartDate: start! };
}

interface Credentialed {
  syncStartDate: Date;
  username: string | null;
}

/**
 * What differs between the typed settings and the stored ones among `keys`, the start date, and
 * the credentials (the username again when the stored one no longer opens or a password is typed).
 */
export function settingsChange<T extends Credentialed & { password: string | null }, S extends Credentialed & { usernameInvalid: boolean }, Key extends keyof T & keyof S>(
  typed: T,
  stored: S,
  keys: readonly Key[],
): Partial<Pick<T, Key>> & { syncStartDate?: Date; username?: string | null; password?: string } {
  const change: Record<string, unknown> = {};
  for (const key of keys) {
    if (JSON.stringify(typed[key]) !== JSON.stringify(stored[key])) change[key as string] = typed[key];
  }
  if (typed.syncStartDate.getTime() !== stored.syncStartDate.getTime()) change.syncStartDate = typed.syncStartDate;
  if (typed.username !== stored.username || stored.usernameInvalid || typed.password) change.username = typed.username;
  if (typed.password) change.password = typed.password;
  return change as Partial<Pick<T, Key>>;
}
