// The fields a repository mirror's and an organization mirror's settings forms share, named as
// the API's fields: the upstream credentials (the password never shown back), the schedule, the
// robot pushing the copies, and how the upstream is reached (TLS, proxies).
import { CheckField, SelectField, TextField } from "./form-field.tsx";

/** Units the sync interval is typed in, largest last. */
export const INTERVAL_UNITS = [
  { value: "60", label: "minutes" },
  { value: "3600", label: "hours" },
  { value: "86400", label: "days" },
  { value: "604800", label: "weeks" },
];

type Values = Record<"external_registry_username" | "sync_interval" | "sync_interval_unit" | "sync_start_date" | "robot_username" | "http_proxy" | "https_proxy" | "no_proxy", string>;
type Errors = Partial<Record<keyof Values | "external_registry_password", string>>;

const Text = ({ name, label, hint, values, errors, required, type }: { name: keyof Values; label: string; hint?: string; values: Values; errors: Errors; required?: boolean; type?: "datetime-local" }) => (
  <TextField name={name} label={label} value={values[name]} error={errors[name]} hint={hint} autocomplete="off" required={required} type={type} />
);

export function CredentialFields({ values, errors, passwordSet }: { values: Values; errors: Errors; passwordSet: boolean }) {
  return (
    <>
      <Text name="external_registry_username" label="Username" hint="Empty to pull anonymously" values={values} errors={errors} />
      <TextField
        name="external_registry_password"
        label="Password"
        type="password"
        error={errors.external_registry_password}
        hint={passwordSet ? "A password is set: leave empty to keep it" : undefined}
        autocomplete="new-password"
      />
    </>
  );
}

export function ScheduleFields({ values, errors }: { values: Values; errors: Errors }) {
  return (
    <>
      <Text name="sync_interval" label="Sync interval" hint="How often the mirror syncs" values={values} errors={errors} required />
      <SelectField name="sync_interval_unit" label="Interval unit" value={values.sync_interval_unit} options={INTERVAL_UNITS} />
      <Text name="sync_start_date" label="Start date (UTC)" hint="The first sync; later ones follow at the interval" values={values} errors={errors} required type="datetime-local" />
    </>
  );
}

/** A select of the owner's robot accounts (`owner`: "namespace" or "organization"). */
export function RobotSelect({ values, errors, robots, owner, hint }: { values: Values; errors: Errors; robots: string[]; owner: string; hint: string }) {
  const choices = [{ value: "", label: robots.length ? "Choose a robot account" : `No robot accounts in this ${owner} yet` }, ...robots.map((r) => ({ value: r, label: r }))];
  return <SelectField name="robot_username" label="Robot account" value={values.robot_username} options={choices} error={errors.robot_username} hint={hint} />;
}

export function ConnectionFields({ values, errors, verifyTls }: { values: Values; errors: Errors; verifyTls: boolean }) {
  return (
    <>
      <CheckField name="verify_tls" label="Verify TLS: refuse an upstream whose certificate does not check out" checked={verifyTls} />
      <Text name="http_proxy" label="HTTP proxy" hint="Optional, e.g. http://proxy.example.com:3128" values={values} errors={errors} />
      <Text name="https_proxy" label="HTTPS proxy" hint="Optional" values={values} errors={errors} />
      <Text name="no_proxy" label="No proxy" hint="Optional: comma-separated hosts reached directly" values={values} errors={errors} />
    </>
  );
}
