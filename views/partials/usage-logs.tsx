// A usage-log view (repository, organization or user): a toolbar choosing the days and a text
// filter, then the chart of actions per day by kind and the entries. Without JavaScript the toolbar
// is a GET form; with htmx it swaps the chart and entries as the fields change, keeping the
// address bar in step.
import { CsrfField, FieldMessage, FormActions, FormError, TextField } from "./form-field.tsx";
import { LogChart, type LogChartProps } from "./log-chart.tsx";
import { UsageLogTable, type UsageLogTableProps } from "./usage-log-table.tsx";

export const USAGE_LOG_RESULTS_ID = "usage-log-results";

/** The days shown (YYYY-MM-DD, both included) and the text looked for. */
export interface UsageLogQuery {
  from: string;
  to: string;
  filter: string;
}

export interface UsageLogsProps {
  /** The page's address without a query; the toolbar and the pager lead back to it. */
  action: string;
  /** Query parameters the page keeps (its tab). */
  params: Record<string, string>;
  query: UsageLogQuery;
  /** Why the dates asked for were not used, if they were not. */
  problem?: string;
  chart: LogChartProps;
  table: UsageLogTableProps;
  /** The "Export logs" dialog: null for a viewer without a form token. */
  exporter: LogExportForm | null;
}

/** The export dialog's state: what was typed, what was wrong, or that an export has started. */
export interface LogExportForm {
  csrfToken: string;
  callbackUrl?: string;
  callbackEmail?: string;
  problem?: string;
  started?: boolean;
}

/** The page's address for `query`, starting at `after` (a position of an earlier page). */
export function usageLogsHref(action: string, params: Record<string, string>, query: UsageLogQuery, after?: string): string {
  const search = new URLSearchParams({ ...params, from: query.from, to: query.to });
  if (query.filter) search.set("filter", query.filter);
  if (after !== undefined) search.set("after", after);
  return `${action}?${search}`;
}

export function UsageLogResults(props: Pick<UsageLogsProps, "chart" | "table" | "problem">) {
  return (
    <div id={USAGE_LOG_RESULTS_ID} class="qs-swappable" data-testid="usage-log-results">
      {props.problem && (
        <div class="pf-v6-c-alert pf-m-warning pf-m-inline qs-gap-below" role="status">
          <p class="pf-v6-c-alert__title">{props.problem}</p>
        </div>
      )}
      <LogChart {...props.chart} />
      <UsageLogTable {...props.table} />
    </div>
  );
}

/** A labelled field of the toolbar (`log-<name>` is its id). */
function ToolbarField(props: { name: string; label: string; type: "date" | "search"; value: string; placeholder?: string; hint?: string }) {
  const id = `log-${props.name}`;
  return (
    <div>
      <label for={id}>{props.label}</label>
      <span class="pf-v6-c-form-control">
        <input
          id={id}
          type={props.type}
          name={props.name}
          value={props.value}
          placeholder={props.placeholder}
          required={props.type === "date"}
          autocomplete="off"
          aria-describedby={props.hint ? `${id}-helper` : undefined}
        />
      </span>
      <FieldMessage id={id} hint={props.hint} />
    </div>
  );
}

/** What the filter searches (domain/activity/logs.ts): pulls, most of the log, only by action and user. */
const FILTER_HINT = "Matches the action or user; for everything but pulls, also the address and details such as tag or repository names.";

export function UsageLogs(props: UsageLogsProps) {
  const { query } = props;
  const fields = Object.entries(props.params);
  return (
    <div data-testid="usage-logs">
      <form
        method="get"
        action={props.action}
        role="search"
        aria-label="Usage logs"
        class="pf-v6-c-toolbar qs-log-range"
        hx-get={props.action}
        hx-trigger="submit, input delay:400ms"
        hx-target={`#${USAGE_LOG_RESULTS_ID}`}
        hx-swap="outerHTML"
        hx-push-url="true"
      >
        {fields.map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <ToolbarField name="from" label="From" type="date" value={query.from} />
        <ToolbarField name="to" label="To" type="date" value={query.to} />
        <ToolbarField name="filter" label="Filter" type="search" value={query.filter} placeholder="Action, user, address or detail" hint={FILTER_HINT} />
        <button class="pf-v6-c-button pf-m-secondary" type="submit">
          <span class="pf-v6-c-button__text">Show</span>
        </button>
      </form>
      {props.exporter && <ExportLogs form={props.exporter} href={usageLogsHref(props.action, props.params, query)} />}
      <UsageLogResults {...props} />
    </div>
  );
}

/**
 * "Export logs": a disclosure holding the form that queues an export of the days shown, its link
 * sent to a callback URL or an e-mail address. It posts to the page's own address.
 */
function ExportLogs({ form, href }: { form: LogExportForm; href: string }) {
  return (
    <>
      {form.started && (
        <div class="pf-v6-c-alert pf-m-success pf-m-inline qs-gap-below" role="status" data-testid="export-started">
          <p class="pf-v6-c-alert__title">Export started: a link to the file (valid for an hour) is sent once it is written.</p>
        </div>
      )}
      <details class="qs-log-export qs-gap-below" open={form.problem !== undefined} data-testid="export-logs">
        <summary class="pf-v6-c-button pf-m-secondary">
          <span class="pf-v6-c-button__text">Export logs</span>
        </summary>
        <form class="pf-v6-c-form qs-log-export-panel" method="post" action={href} novalidate>
          <CsrfField token={form.csrfToken} />
          <p>The days shown are written to a JSON file. Give an address for the link to it: a URL it is posted to, or an e-mail address.</p>
          <TextField name="callback_url" label="Callback URL" value={form.callbackUrl} hint="http:// or https://" autocomplete="url" />
          <TextField name="callback_email" label="E-mail address" type="email" value={form.callbackEmail} autocomplete="email" />
          {form.problem && <FormError message={form.problem} />}
          <FormActions submit="Start export" />
        </form>
      </details>
    </>
  );
}
