// Token issuance for a robot with grants on 10 000 repositories, beside the user token row: a
// token names the repositories it is for, so what the robot may reach elsewhere must not cost
// anything (issue 10). The repositories and grants are written straight into the database.
import { httpRequest } from "./client.ts";
import { alternate, type Row } from "./measure.ts";
import { type Bench, withRss, wrkSample } from "./operations.ts";
import type { QuaysideDb } from "./quayside-db.ts";

const GRANTS = 10_000;
const TOKEN = "BENCHROBOT".padEnd(64, "0");

export async function robotTokenIssuance(b: Bench, db: QuaysideDb): Promise<Row> {
  const names = Array.from({ length: GRANTS }, (_, i) => `robot-${String(i).padStart(5, "0")}`);
  await db.addRepositories("bench", names);
  await db.addRobotWithGrants("bench", "ci", TOKEN, names, "write");
  return withRss(b, async () => {
    const scope = `repository:bench/${names[GRANTS / 2]}:pull,push`;
    const url = `${b.quayside.url}/v2/auth?service=${encodeURIComponent(b.quayside.host)}&scope=${encodeURIComponent(scope)}`;
    const headers = { authorization: `Basic ${Buffer.from(`bench+ci:${TOKEN}`).toString("base64")}` };
    const check = await httpRequest(url, "GET", headers);
    if (check.status !== 200) throw new Error(`robot token: ${check.status} ${check.body.toString()}`);
    const r = await alternate(b.reps, () => undefined, {
      quayside: wrkSample(url, { connections: 8, seconds: b.limitSeconds, headers }, b.workDir),
    });
    return {
      section: "Operations",
      name: `Token issuance for a robot with grants on ${GRANTS.toLocaleString("en-US")} repositories (8 connections)`,
      unit: "req/s",
      higherIsBetter: true,
      quayside: r.quayside,
      limits: [],
      target: { kind: "none", text: "as the user token row above" },
      note: "Quayside only",
    };
  });
}
