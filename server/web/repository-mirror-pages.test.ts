// A repository's Mirroring page (Settings → Mirroring), admins only: the empty state, making the
// repository a mirror and a normal one again, the settings with each refusal at its field in the
// API's words, the password never shown back, sync now / cancel, the status fragment htmx polls
// only while a sync is due or running, and the banner on the mirror's pages.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, repositories } from "../../db/schema.ts";
import { sessionClient } from "../../e2e/support/api-client.ts";
import { fieldMessage, PageClient, signedInClient } from "../../e2e/support/page-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { getMirror, mirrorCredentials } from "../domain/mirroring/repository-mirrors.ts";

let env: TestEnv;
let alice: PageClient;
let bob: PageClient;

const PAGE = "/repository-mirror/acme/app";
const SECRET = "upstream-secret-password";
const settings = (over: Record<string, string> = {}) => ({
  is_enabled: "1",
  external_reference: "127.0.0.1:5999/team/app",
  root_rule: "1-*, latest",
  external_registry_username: "mirror",
  external_registry_password: SECRET,
  sync_interval: "6",
  sync_interval_unit: "3600",
  sync_start_date: "2030-01-02T03:04",
  robot_username: "acme+mirror",
  verify_tls: "1",
  remove_missing_tags: "1",
  http_proxy: "",
  https_proxy: "",
  no_proxy: "",
  ...over,
});
const save = (fields: Record<string, string>) => alice.submit(PAGE, PAGE, fields);
/** The message under a field, with the page's HTML escapes undone. */
const messageAt = (html: string, field: string) => fieldMessage(html, field)?.text.replace(/&#39;/g, "'");
const logged = async (kind: string) => (await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, kind))).length;
const statusFragment = (client = alice) => client.get(PAGE, { "HX-Request": "true", "HX-Target": "mirror-status" });
const repoId = async () => (await env.deps.db.select().from(repositories).where(eq(repositories.name, "app")))[0]!.id;

beforeAll(async () => {
  env = await testEnv({ QUAYSIDE_SSRF_ALLOWED_HOSTS: "127.0.0.1" });
  const owner = await env.user("alice");
  await env.user("bob");
  const api = await sessionClient(env, owner);
  await api.post("/organization/", { name: "acme" });
  await api.post("/repository", { namespace: "acme", repository: "app", visibility: "private", description: "" });
  await api.put("/organization/acme/robots/mirror", {});
  await api.put("/organization/acme/robots/other", {});
  await api.put("/repository/acme/app/permissions/user/bob", { role: "write" });
  alice = await signedInClient(env.app, "alice");
  bob = await signedInClient(env.app, "bob");
});
afterAll(async () => {
  await env?.close();
});

describe("repository mirroring page", () => {
  it("is linked from the Settings tab for admins, and a 404 for writers and anonymous visitors", async () => {
    expect(await (await alice.get("/repository/acme/app?tab=settings")).text()).toContain(`href="${PAGE}"`);
    expect(await (await bob.get("/repository/acme/app?tab=settings")).text()).not.toContain(`href="${PAGE}"`);
    expect((await bob.get(PAGE)).status).toBe(404);
    expect((await new PageClient(env.app).get(PAGE)).status).toBe(404);
    expect((await bob.submit("/repository/acme/app?tab=settings", "/repository-mirror-state/acme/app", { state: "MIRROR" })).status).toBe(404);
  });

  it("shows an empty state until the repository is made a mirror, as changestate does", async () => {
    const html = await (await alice.get(PAGE)).text();
    expect(html).toContain("Not a mirror");
    expect(html).not.toContain('name="external_reference"');
    const res = await alice.submit(PAGE, "/repository-mirror-state/acme/app", { state: "MIRROR" });
    expect(res.status).toBe(303);
    expect((await env.deps.db.select().from(repositories).where(eq(repositories.name, "app")))[0]!.state).toBe("MIRROR");
    expect(await logged("change_repo_state")).toBe(1);
    const after = await (await alice.get(res.headers.get("location")!)).text();
    expect(after).toContain("No upstream configured yet");
    expect(after).toContain('data-testid="mirror-banner"');
    // The namespace's robots to choose from.
    expect(after).toContain('<option value="acme+mirror">acme+mirror</option>');
    expect(after).toContain('<option value="acme+other">acme+other</option>');
  });

  it("shows each refusal at its field in the API's words, keeping what was typed", async () => {
    let res = await save(settings({ external_reference: "10.1.2.3/ns/repo" }));
    expect(res.status).toBe(400);
    let html = await res.text();
    expect(messageAt(html, "external_reference")).toBe("External reference is not allowed");
    expect(html).toContain('value="1-*, latest"');
    expect(html).not.toContain(SECRET);

    html = await (await save(settings({ robot_username: "" }))).text();
    expect(messageAt(html, "robot_username")).toBe("Invalid robot_username: it must be a robot account of the repository's namespace");
    html = await (await save(settings({ root_rule: " , " }))).text();
    expect(messageAt(html, "root_rule")).toBe("root_rule needs at least one tag glob");
    html = await (await save(settings({ sync_interval: "0" }))).text();
    expect(messageAt(html, "sync_interval")).toBe("sync_interval must be a positive number of seconds");
    html = await (await save(settings({ sync_start_date: "tomorrow" }))).text();
    expect(messageAt(html, "sync_start_date")).toBe("Incorrect DateTime format for sync_start_date.");
    html = await (await save(settings({ external_registry_username: "" }))).text();
    expect(messageAt(html, "external_registry_password")).toBe("Username is required when a password is given");
    expect(await getMirror(env.deps.db, await repoId())).toBeUndefined();
  });

  it("saves every field through the domain and shows them back, never the password", async () => {
    const res = await save(settings({ https_proxy: "http://127.0.0.1:3128", no_proxy: "internal.example" }));
    expect(res.status).toBe(303);
    const mirror = (await getMirror(env.deps.db, await repoId()))!;
    expect(mirror).toMatchObject({
      isEnabled: true,
      externalReference: "127.0.0.1:5999/team/app",
      tagGlobs: ["1-*", "latest"],
      username: "mirror",
      syncIntervalS: 6 * 3600,
      syncStartDate: new Date("2030-01-02T03:04:00Z"),
      robotUsername: "acme+mirror",
      verifyTls: true,
      httpsProxy: "http://127.0.0.1:3128",
      noProxy: "internal.example",
      removeMissingTags: true,
    });
    expect(await logged("repo_mirror_enabled")).toBe(1);
    const html = await (await alice.get(res.headers.get("location")!)).text();
    expect(html).toContain("Mirror settings saved.");
    expect(html).not.toContain(SECRET);
    expect(html).toContain("A password is set: leave empty to keep it");
    expect(html).toContain('value="2030-01-02T03:04"');
    expect(html).toContain("Never run");
    expect(html).toMatch(/This repository is a mirror of <code>127\.0\.0\.1:5999\/team\/app<\/code>/);
  });

  it("changes only what differs, keeps the password when none is typed, and unchecks boxes", async () => {
    const fields = settings({ external_registry_password: "", root_rule: "1-*", https_proxy: "http://127.0.0.1:3128", no_proxy: "internal.example" });
    delete (fields as Partial<typeof fields>).verify_tls;
    delete (fields as Partial<typeof fields>).remove_missing_tags;
    expect((await save(fields)).status).toBe(303);
    const mirror = (await getMirror(env.deps.db, await repoId()))!;
    expect(mirror).toMatchObject({ tagGlobs: ["1-*"], verifyTls: false, removeMissingTags: false, username: "mirror" });
    const changed = (await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, "repo_mirror_config_changed"))).map((r) => (r.metadata as { changed: string }).changed);
    expect(changed.sort()).toEqual(["remove_missing_tags", "root_rule", "verify_tls"]);
    expect((await mirrorCredentials(env.deps.db, await repoId())).password).toBe(SECRET);
  });

  it("polls the status only while a sync is due or running; sync now and cancel answer the fragment to htmx", async () => {
    let part = await (await statusFragment()).text();
    expect(part.startsWith('<div id="mirror-status"')).toBe(true);
    expect(part).not.toContain("hx-trigger");
    expect(part).toContain("Sync now");

    const csrf = /name="_csrf" value="([^"]+)"/.exec(part)![1]!;
    const sync = await alice.post("/repository-mirror-sync/acme/app", { _csrf: csrf }, { "HX-Request": "true", "HX-Target": "mirror-status" });
    part = await sync.text();
    expect(part).toContain("Sync requested");
    expect(part).toContain('hx-trigger="every 2s"');
    expect(part).toContain("Cancel sync");
    expect(await logged("repo_mirror_sync_now_requested")).toBe(1);

    const cancel = await alice.post("/repository-mirror-cancel/acme/app", { _csrf: csrf }, { "HX-Request": "true", "HX-Target": "mirror-status" });
    part = await cancel.text();
    expect(part).toContain("Cancelled");
    expect(part).not.toContain("hx-trigger");

    // Without htmx: back to the page with a notice.
    const plain = await alice.submit(PAGE, "/repository-mirror-cancel/acme/app", {});
    expect(plain.status).toBe(303);
    expect(await (await alice.get(plain.headers.get("location")!)).text()).toContain("No sync was running.");

    // A start date that has passed makes the sync due: the status polls until it has run.
    expect((await save(settings({ external_registry_password: "", sync_start_date: "2020-01-01T00:00" }))).status).toBe(303);
    expect(await (await statusFragment()).text()).toContain('hx-trigger="every 2s"');
    // A disabled mirror is never picked up, so nothing is due.
    const disabled = settings({ external_registry_password: "", sync_start_date: "2020-01-01T00:00" });
    delete (disabled as Partial<typeof disabled>).is_enabled;
    expect((await save(disabled)).status).toBe(303);
    part = await (await statusFragment()).text();
    expect(part).not.toContain("hx-trigger");
    expect(part).toContain("None: mirroring is disabled");
  });

  it("shows the banner on the repository's pages, and stops mirroring on request", async () => {
    const tags = await (await bob.get("/repository/acme/app?tab=tags")).text();
    expect(tags).toMatch(/data-testid="mirror-banner"[\s\S]*127\.0\.0\.1:5999\/team\/app/);
    await alice.submit(PAGE, "/repository-mirror-state/acme/app", { state: "NORMAL" });
    expect(await (await bob.get("/repository/acme/app?tab=tags")).text()).not.toContain("mirror-banner");
    expect(await (await alice.get(PAGE)).text()).toContain("Not a mirror");
  });
});
