// The repository page's Tags tab and Quay's GET /api/v1/repository/{repo}/tag/ for a repository
// with 100 000 tags (issue 11: under 50 ms server time each). One connection, so a request's
// latency is its server time plus loopback; Quayside only (distribution has neither).
import { httpRequest } from "./client.ts";
import { alternate, type Row } from "./measure.ts";
import { type Bench, withRss, wrkSample } from "./operations.ts";
import { fillTags, type Scale, TAGS_REPO } from "./scale.ts";

const TAGS = 100_000;

/** A session cookie for the benchmark's admin, signed in through the sign-in form. */
export async function signIn(b: Bench): Promise<string> {
  const form = await httpRequest(`${b.quayside.url}/signin`, "GET");
  const csrfCookie = String(form.headers["set-cookie"] ?? "").match(/quayside_csrf=[^;]+/)?.[0];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body.toString())?.[1];
  if (!csrfCookie || !csrf) throw new Error("sign-in form: no CSRF token");
  const body = Buffer.from(new URLSearchParams({ _csrf: csrf, username: "bench", password: "bench-password" }).toString());
  const res = await httpRequest(`${b.quayside.url}/signin`, "POST", { cookie: csrfCookie, "content-type": "application/x-www-form-urlencoded" }, body);
  const session = ([] as string[]).concat(res.headers["set-cookie"] ?? []).join(";").match(/quayside_session=[^;]+/)?.[0];
  if (res.status !== 303 || !session) throw new Error(`sign-in: ${res.status}`);
  return session;
}

/** Requests per second of one signed-in connection on `path`, against a p99 target of `maxMs`. */
export async function latencyRow(
  b: Bench,
  name: string,
  path: string,
  check: (body: string) => boolean,
  note: string,
  maxMs = 50,
): Promise<Row> {
  return withRss(b, async () => {
    const headers = { cookie: await signIn(b) };
    const url = `${b.quayside.url}${path}`;
    const res = await httpRequest(url, "GET", headers);
    if (res.status !== 200 || !check(res.body.toString())) throw new Error(`${path}: ${res.status} ${res.body.toString().slice(0, 300)}`);
    const options = { threads: 1, connections: 1, seconds: b.limitSeconds, headers };
    await wrkSample(url, { ...options, seconds: 1 }, b.workDir)(); // warm-up: JIT, prepared statements, caches
    const r = await alternate(b.reps, () => undefined, { quayside: wrkSample(url, options, b.workDir) });
    return {
      section: "Scale",
      name,
      unit: "req/s",
      higherIsBetter: true,
      quayside: r.quayside,
      limits: [],
      target: { kind: "p99", maxMs },
      note,
    };
  });
}

/** The Tags tab's first page and a page 75 000 tags down, then the API's first page, with 100 000 tags. */
export async function tagsTabRows(s: Scale): Promise<Row[]> {
  await fillTags(s, TAGS);
  // Measured in the steady state, not while autovacuum works through the rows just inserted
  // (and plans are made from statistics that still think the table empty).
  await s.quaysideDb.settleTags();
  const b = s.bench;
  const page = `/repository/${TAGS_REPO}?tab=tags`;
  const rows = [
    await latencyRow(b, `Tags tab, ${TAGS.toLocaleString("en-US")} tags (first page of 25, 1 connection)`, page, (html) => html.includes("more than 10,000"), "Quayside only"),
  ];
  // Keyset paging: a position half-way down the list costs what the first page does.
  const middle = await s.quaysideDb.tagPosition(TAGS_REPO, "t075000");
  rows.push(
    await latencyRow(
      b,
      `Tags tab, ${TAGS.toLocaleString("en-US")} tags (the page after tag t075000, 1 connection)`,
      `${page}&after=${encodeURIComponent(middle)}`,
      (html) => html.includes('data-testid="tag-name">t075001<'),
      "Quayside only",
    ),
  );
  rows.push(
    await latencyRow(
      b,
      `GET /api/v1/repository/{repo}/tag/, ${TAGS.toLocaleString("en-US")} tags (first page, 1 connection)`,
      `/api/v1/repository/${TAGS_REPO}/tag/`,
      (json) => (JSON.parse(json) as { tags: unknown[] }).tags.length > 0,
      "Quayside only",
    ),
  );
  return rows;
}
