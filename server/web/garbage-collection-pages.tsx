// The superuser's garbage-collection page (/superuser/gc): status, run now, and "why is this
// blob kept?" (?digest=). Everyone else gets the site's 404, anonymous visitors the sign-in.
import { Hono } from "hono";
import { GcPage, GcStatusCard } from "../../views/pages/garbage-collection.tsx";
import type { AppDeps } from "../deps.ts";
import { startGarbageCollection } from "../domain/content/garbage-collection.ts";
import { gcOverview } from "../domain/content/gc-overview.ts";
import { parseDigest } from "../domain/content/digests.ts";
import { chrome, fragment, notFoundPage, page, wantsFragment } from "./render.tsx";
import type { WebContext, WebEnv } from "./session.ts";

function validDigest(value: string): boolean {
  try {
    parseDigest(value);
    return true;
  } catch {
    return false;
  }
}

export function garbageCollectionPages(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const grace = () => deps.config.gc.graceSeconds;

  /** The signed-in superuser, or the answer for anyone else. */
  const refusal = async (c: WebContext): Promise<Response | undefined> => {
    const session = c.get("session");
    if (!session) return c.redirect(`/signin?${new URLSearchParams({ next: "/superuser/gc" })}`, 303);
    return session.user.superuser ? undefined : notFoundPage(deps, c);
  };

  app.get("/superuser/gc", async (c) => {
    const refused = await refusal(c);
    if (refused) return refused;
    const digest = (c.req.query("digest") ?? "").trim();
    const digestError = digest && !validDigest(digest) ? "Enter a digest such as sha256: followed by 64 hexadecimal digits." : undefined;
    const overview = await gcOverview(deps, grace(), digest && !digestError ? digest : undefined);
    const now = deps.clock.now();
    const { running, latest } = overview.status;
    if (wantsFragment(c, "gc-status")) return fragment(c, <GcStatusCard now={now} running={running} latest={latest} />);
    const started = c.req.query("started");
    return page(
      c,
      <GcPage
        chrome={await chrome(deps, c)}
        now={now}
        running={running}
        graceSeconds={overview.graceSeconds}
        latest={latest}
        started={started === undefined ? undefined : started === "1"}
        digest={digest}
        digestError={digestError}
        blob={overview.blob}
      />,
    );
  });

  app.post("/superuser/gc/run", async (c) => {
    const refused = await refusal(c);
    if (refused) return refused;
    const run = await startGarbageCollection(deps, { graceSeconds: grace() });
    return c.redirect(`/superuser/gc?started=${run ? 1 : 0}`, 303);
  });

  return app;
}
