// The organization's Mirroring tab over the HTML door: 404 to strangers, read-only to members; the
// empty state with the form, each refusal at its field in the API's words, saving through the
// domain (the password never shown back), changing only what differs, sync now / cancel answering
// the status fragment htmx polls while a sync is due or running, the found repositories (paged,
// linked), and Delete after a question.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, organizationMirrorRepositories, repositories } from "../../db/schema.ts";
import { sessionClient } from "../../e2e/support/api-client.ts";
import { csrfFieldOf, fieldMessage, type PageClient, signedInClient } from "../../e2e/support/page-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { findOrganization, type Organization } from "../domain/accounts/organizations.ts";
import { addTeamMember, findAccount, saveTeam } from "../domain/accounts/teams.ts";
import { toPrincipal } from "../domain/accounts/users.ts";
import { getOrgMirror, orgMirrorCredentials } from "../domain/mirroring/organization-mirrors.ts";

const PATH = "/organization/mirrors/mirroring";
const SECRET = "upstream-secret-password";
const settings = (over: Record<string, string> = {}) => ({
  is_enabled: "1",
  external_registry_type: "quay",
  external_registry_url: "http://127.0.0.1:5999",
  external_namespace: "team",
  repository_filters: "app*, tools",
  robot_username: "mirrors+sync",
  visibility: "private",
  sync_interval: "6",
  sync_interval_unit: "3600",
  sync_start_date: "2030-01-02T03:04",
  external_registry_username: "mirror",
  external_registry_password: SECRET,
  verify_tls: "1",
  http_proxy: "",
  https_proxy: "",
  no_proxy: "",
  ...over,
});

let env: TestEnv;
let org: Organization;
let ownerApi: Awaited<ReturnType<typeof sessionClient>>;
let owner: PageClient;
let member: PageClient;

const save = (fields: Record<string, string>) => owner.submit(PATH, PATH, fields);
const messageAt = (html: string, field: string) => fieldMessage(html, field)?.text.replace(/&#39;/g, "'");
const logged = async (kind: string) => (await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, kind))).length;
const fragmentOf = (client: PageClient, path = PATH) => client.get(path, { "HX-Request": "true", "HX-Target": "mirror-status" });

beforeAll(async () => {
  env = await testEnv({ QUAYSIDE_SSRF_ALLOWED_HOSTS: "127.0.0.1" });
  const alice = await env.user("alice");
  await env.user("bob");
  await env.user("eve");
  ownerApi = await sessionClient(env, alice);
  await ownerApi.post("/organization/", { name: "mirrors" });
  await ownerApi.put("/organization/mirrors/robots/sync", {});
  org = (await findOrganization(env.deps.db, "mirrors"))!;
  const actor = { principal: toPrincipal(alice) };
  const { team } = await saveTeam(env.deps, actor, org, "readers", { role: "member" });
  await addTeamMember(env.deps, actor, org, team, (await findAccount(env.deps.db, "bob"))!);
  owner = await signedInClient(env.app, "alice");
  member = await signedInClient(env.app, "bob");
});
afterAll(async () => {
  await env?.close();
});

describe("the organization's Mirroring tab", () => {
  it("is linked for members, offers the form to admins only when not a mirror, and is a 404 to others", async () => {
    expect(await (await owner.get("/organization/mirrors")).text()).toContain(`href="${PATH}"`);
    const html = await (await owner.get(PATH)).text();
    expect(html).toContain("Not a mirror");
    for (const name of ["external_registry_type", "external_registry_url", "external_namespace", "repository_filters", "visibility", "sync_start_date", "external_registry_password", "verify_tls", "https_proxy"]) {
      expect(html).toContain(`name="${name}"`);
    }
    expect(html).toContain('<option value="mirrors+sync">mirrors+sync</option>');
    const readOnly = await (await member.get(PATH)).text();
    expect(readOnly).toContain("Not a mirror");
    expect(readOnly).not.toContain('name="external_registry_url"');
    expect((await member.post(PATH, { _csrf: csrfFieldOf(readOnly), ...settings() })).status).toBe(404);
    expect((await (await signedInClient(env.app, "eve")).get(PATH)).status).toBe(404);
  });

  it("shows each refusal at its field in the API's words, keeping what was typed", async () => {
    let res = await save(settings({ external_registry_url: "http://10.1.2.3:5000" }));
    expect(res.status).toBe(400);
    let html = await res.text();
    expect(messageAt(html, "external_registry_url")).toBe("The provided registry URL is not allowed");
    expect(html).toContain('value="app*, tools"');
    expect(html).not.toContain(SECRET);
    html = await (await save(settings({ robot_username: "" }))).text();
    expect(messageAt(html, "robot_username")).toBe("Invalid robot account: ");
    html = await (await save(settings({ sync_interval: "0.5", sync_interval_unit: "60" }))).text();
    expect(messageAt(html, "sync_interval")).toBe("sync_interval must be at least 60 seconds");
    html = await (await save(settings({ external_registry_type: "gitlab" }))).text();
    expect(messageAt(html, "external_registry_type")).toBe("Invalid external_registry_type: gitlab");
    html = await (await save(settings({ sync_start_date: "tomorrow" }))).text();
    expect(messageAt(html, "sync_start_date")).toBe("Invalid sync_start_date format. Use ISO 8601: YYYY-MM-DDTHH:MM:SSZ");
    expect(await getOrgMirror(env.deps.db, org.namespaceId)).toBeUndefined();
  });

  it("saves every field through the domain and shows the settings, never the password; members read the status", async () => {
    const res = await save(settings({ https_proxy: "http://127.0.0.1:3128" }));
    expect(res.status).toBe(303);
    expect(await getOrgMirror(env.deps.db, org.namespaceId)).toMatchObject({
      isEnabled: true,
      registryType: "quay",
      registryUrl: "http://127.0.0.1:5999",
      externalNamespace: "team",
      repositoryFilters: ["app*", "tools"],
      robotUsername: "mirrors+sync",
      visibility: "private",
      syncIntervalS: 6 * 3600,
      syncStartDate: new Date("2030-01-02T03:04:00Z"),
      username: "mirror",
      hasPassword: true,
      verifyTls: true,
      httpsProxy: "http://127.0.0.1:3128",
    });
    expect(await logged("org_mirror_enabled")).toBe(1);
    const html = await (await owner.get(res.headers.get("location")!)).text();
    expect(html).toContain("The organization is now a mirror");
    expect(html).not.toContain(SECRET);
    expect(html).toContain("A password is set: leave empty to keep it");
    expect(html).toContain("http://127.0.0.1:5999/team");
    expect(html).toContain("Never run");
    expect(html).toContain("No repositories found yet");
    const readOnly = await (await member.get(PATH)).text();
    expect(readOnly).toContain("Never run");
    expect(readOnly).not.toContain("Sync now");
    expect(readOnly).not.toContain('name="external_registry_url"');
    expect(readOnly).not.toContain(`${PATH}/remove`);
  });

  it("changes only what differs and keeps the password when none is typed", async () => {
    const fields = settings({ external_registry_password: "", repository_filters: "app*", visibility: "public", https_proxy: "http://127.0.0.1:3128" });
    delete (fields as Partial<typeof fields>).verify_tls;
    expect((await save(fields)).status).toBe(303);
    expect(await getOrgMirror(env.deps.db, org.namespaceId)).toMatchObject({ repositoryFilters: ["app*"], visibility: "public", verifyTls: false, username: "mirror" });
    const [row] = await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, "org_mirror_config_changed"));
    expect(((row!.metadata as { updated_fields: string[] }).updated_fields).sort()).toEqual(["repositoryFilters", "verifyTls", "visibility"]);
    expect((await orgMirrorCredentials(env.deps.db, org.namespaceId)).password).toBe(SECRET);
  });

  it("sync now and cancel answer the status fragment to htmx, which polls only while a sync is due or running", async () => {
    let part = await (await fragmentOf(owner)).text();
    expect(part.startsWith('<div id="mirror-status"')).toBe(true);
    expect(part).not.toContain("hx-trigger");
    const csrf = /name="_csrf" value="([^"]+)"/.exec(part)![1]!;
    const hx = { "HX-Request": "true", "HX-Target": "mirror-status" };
    part = await (await owner.post(`${PATH}/sync`, { _csrf: csrf }, hx)).text();
    expect(part).toContain("Sync requested");
    expect(part).toContain(`hx-get="${PATH}"`);
    expect(part).toContain('hx-trigger="every 2s"');
    expect(part).toContain("Cancel sync");
    expect(await logged("org_mirror_sync_now_requested")).toBe(1);
    part = await (await owner.post(`${PATH}/cancel`, { _csrf: csrf }, hx)).text();
    expect(part).toContain("Cancelled");
    expect(part).not.toContain("hx-trigger");
    expect(await logged("org_mirror_sync_cancelled")).toBe(1);
    // Members may not press the buttons.
    const memberCsrf = csrfFieldOf(await (await member.get(PATH)).text());
    expect((await member.post(`${PATH}/sync`, { _csrf: memberCsrf }, hx)).status).toBe(404);
    // Without htmx: back to the page with a notice.
    const plain = await owner.submit(PATH, `${PATH}/sync`, {});
    expect(plain.status).toBe(303);
    expect(await (await owner.get(plain.headers.get("location")!)).text()).toContain("A sync was requested");
  });

  it("lists the found repositories with status, last sync and message, paged and linked, inside the polled fragment", async () => {
    const synced = new Date("2026-01-02T03:04:00Z");
    await env.deps.db.insert(organizationMirrorRepositories).values([
      { namespaceId: org.namespaceId, name: "app", syncStatus: "SUCCESS", lastSyncDate: synced, repositoryId: null },
      { namespaceId: org.namespaceId, name: "app-broken", syncStatus: "FAIL", statusMessage: "manifest unknown upstream" },
      ...Array.from({ length: 30 }, (_, i) => ({ namespaceId: org.namespaceId, name: `app-${String(i).padStart(2, "0")}` })),
    ]);
    let part = await (await fragmentOf(member)).text();
    expect(part).toContain("Success");
    expect(part).toContain("2026-01-02 03:04 UTC");
    expect(part).toContain("1 - 25");
    expect(part).toContain("of <b>32</b>");
    expect(part).toContain(`href="${PATH}?page=2"`);
    part = await (await fragmentOf(member, `${PATH}?page=2`)).text();
    expect(part).toContain("26 - 32");
    expect(part).toContain("app-29");
    expect(part).toContain("app-broken");
    expect(part).toContain("manifest unknown upstream");
    expect(part).toContain("Failed");
    // A repository created here links to it.
    const created = await ownerApi.post("/repository", { namespace: "mirrors", repository: "app-29", visibility: "private", description: "" });
    expect(created.status).toBe(201);
    const [repo] = await env.deps.db.select().from(repositories).where(eq(repositories.name, "app-29"));
    await env.deps.db.update(organizationMirrorRepositories).set({ repositoryId: repo!.id }).where(eq(organizationMirrorRepositories.name, "app-29"));
    expect(await (await fragmentOf(member, `${PATH}?page=2`)).text()).toContain('href="/repository/mirrors/app-29"');
  });

  it("deletes the mirror after a question", async () => {
    expect((await member.get(`${PATH}/remove`)).status).toBe(404);
    const confirm = await (await owner.get(`${PATH}/remove`)).text();
    expect(confirm).toContain("Delete the organization mirror?");
    expect(confirm).toContain("http://127.0.0.1:5999/team");
    const res = await owner.post(`${PATH}/remove`, { _csrf: csrfFieldOf(confirm) });
    expect(res.status).toBe(303);
    expect(await getOrgMirror(env.deps.db, org.namespaceId)).toBeUndefined();
    expect(await logged("org_mirror_disabled")).toBe(1);
    expect(await (await owner.get(res.headers.get("location")!)).text()).toContain("The organization mirror was deleted.");
  });
});
