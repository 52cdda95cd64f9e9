// Issue 10's authorization table: every kind of principal × every action × every door that offers
// it, with the answer Quay's rules give (quay-api.md §2 roles, §10 teams, the scopes section).
// One table drives all cases; each door has a small driver that performs the action and classifies
// the answer as allowed (2xx, or a form's redirect onwards) or denied (401/403/404 in that door's
// own shape: OCI errors on /v2, Quay's error body on /api/v1, an HTML page or the sign-in redirect
// in the UI). The principals are made once; each case is a request or two.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiAuth, ApiClient } from "../e2e/support/api-client.ts";
import { fieldMessage } from "../e2e/support/page-client.ts";
import { basic, RegistryClient } from "../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../e2e/support/test-app.ts";
import { createSession, SESSION_COOKIE } from "./auth/sessions.ts";
import { createAppToken, revokeAppToken } from "./domain/accounts/app-tokens.ts";
import { createAccessToken } from "./domain/accounts/oauth-tokens.ts";
import { createOrganization, type Organization } from "./domain/accounts/organizations.ts";
import { createRobot, regenerateRobotToken } from "./domain/accounts/robots.ts";
import { addTeamMember, type Account, saveTeam, type TeamRole } from "./domain/accounts/teams.ts";
import { deleteAccount, toPrincipal, type User } from "./domain/accounts/users.ts";
import type { Role } from "./domain/access/permissions.ts";
import { findRepository } from "./domain/repositories/repositories.ts";
import { setRepositoryRole } from "./domain/repositories/repository-permissions.ts";
import { teamRepoPermissions } from "../db/schema.ts";

type Door = "registry" | "api" | "ui";
const ACTIONS = [
  "pull",
  "push",
  "deleteTag",
  "createRepo",
  "changeVisibility",
  "managePermissions",
  "manageTeams",
  "manageRobots",
  "manageApps",
] as const;
type Action = (typeof ACTIONS)[number];

// A = allowed, D = denied, - = not a credential of any door offering the action. `A!door` is
// allowed by Quay's rules but refused by that door of Quayside (the disagreements this table
// found, reported with it): the test pins Quayside's answer there, so a change shows up.
// - A!registry on creating: Quay's v2auth grants push on a new repository to anyone
//   CreateRepositoryPermission admits, which an OAuth token's repo:create or org:admin scope
//   keeps (SCOPE_MAX_TEAM_ROLES); Quayside's registry also asks for repo:write.
// The private repository is acme/app; the organization acme is owned by `owner`. Robots, app
// tokens and `$oauthtoken` logins are registry credentials only (Quay's API takes OAuth tokens
// and sessions; its pages, sessions). Columns in the order of ACTIONS:
//                          pull push  del  create     vis  perms teams robots apps   doors
const TABLE: [string, string, Door[]][] = [
  ["anonymous",            "D    D     D    D          D    D     D     D      D", ["registry", "api", "ui"]],
  ["user without role",    "D    D     D    D          D    D     D     D      D", ["registry", "api", "ui"]],
  ["user with read",       "A    D     D    D          D    D     D     D      D", ["registry", "api", "ui"]],
  ["user with write",      "A    A     A    D          D    D     D     D      D", ["registry", "api", "ui"]],
  ["user with admin",      "A    A     A    D          A    A     D     D      D", ["registry", "api", "ui"]],
  ["team member, read",    "A    D     D    D          D    D     D     D      D", ["registry", "api", "ui"]],
  ["team member, write",   "A    A     A    D          D    D     D     D      D", ["registry", "api", "ui"]],
  ["team creator",         "D    D     D    A          D    D     D     D      D", ["registry", "api", "ui"]],
  ["team admin",           "A    A     A    A          A    A     A     A      A", ["registry", "api", "ui"]],
  ["org owner",            "A    A     A    A          A    A     A     A      A", ["registry", "api", "ui"]],
  ["robot with read",      "A    D     D    D          -    -     -     -      -", ["registry"]],
  ["robot with write",     "A    A     A    D          -    -     -     -      -", ["registry"]],
  ["robot with admin",     "A    A     A    D          -    -     -     -      -", ["registry"]],
  ["oauth repo:read",      "A    D     D    D          D    D     D     D      D", ["registry", "api"]],
  ["oauth repo:write",     "A    A     A    D          D    D     D     D      D", ["registry", "api"]],
  ["oauth repo:admin",     "A    A     A    D          A    A     D     D      D", ["registry", "api"]],
  ["oauth repo:create",    "D    D     D    A!registry D    D     D     D      D", ["registry", "api"]],
  ["oauth org:admin",      "D    D     D    A!registry D    D     A     A      A", ["registry", "api"]],
  // Failed registry logins from one address are limited (10, then 429): these rows sit between
  // successful ones, since a success forgets its address's failures.
  ["old robot token",      "D    D     D    D          -    -     -     -      -", ["registry"]],
  ["deleted user",         "D    D     D    D          D    D     D     D      D", ["registry", "api", "ui"]],
  ["app token",            "A    A     A    A          -    -     -     -      -", ["registry"]],
  ["revoked app token",    "D    D     D    D          -    -     -     -      -", ["registry"]],
];

/**
 * The actions each door offers. "push" outside the registry is Quay's write on the repository
 * record (its description: PUT /repository/{repo}, ModifyRepositoryPermission); images are
 * pushed only through the registry. Not here, because Quayside has no door for them yet:
 * deleting a tag through the API (Quay's DELETE /repository/{repo}/tag/{tag}) or a page, and a
 * page for a repository's permissions (a robot's page sets them, for organization admins only).
 */
const DOOR_ACTIONS: Record<Door, Action[]> = {
  registry: ["pull", "push", "deleteTag", "createRepo"],
  api: ["pull", "push", "createRepo", "changeVisibility", "managePermissions", "manageTeams", "manageRobots", "manageApps"],
  ui: ["pull", "push", "createRepo", "changeVisibility", "manageTeams", "manageRobots", "manageApps"],
};

interface Credentials {
  registry?: { username: string; password: string };
  api: ApiAuth;
  ui?: { cookie: string; csrfToken: string };
}

let env: TestEnv;
let owner: User;
let org: Organization;
let ownerPush: RegistryClient;
let image: { body: string };
const principals = new Map<string, Credentials>();
const REPO = "acme/app";

const asOwner = () => ({ principal: toPrincipal(owner) });
const slug = (name: string) => name.replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

async function sessionOf(user: User) {
  const { cookie, csrfToken } = await createSession(env.deps.db, user.id, env.deps.clock.now());
  return { cookie, csrfToken };
}

/** A person with a password, a browser session and (for the API) that session. */
async function person(name: string, username: string, setup: (user: User) => Promise<void> = async () => {}) {
  const user = await env.user(username);
  await setup(user);
  const session = await sessionOf(user);
  principals.set(name, {
    registry: { username, password: `password-${username}` },
    api: { kind: "session", ...session },
    ui: session,
  });
  return user;
}

async function repoId(name: string) {
  return (await findRepository(env.deps.db, { namespace: "acme", name }))!.id;
}

async function teamWith(teamName: string, role: TeamRole, member: Account, grant?: Role) {
  const { team } = await saveTeam(env.deps, asOwner(), org, teamName, { role });
  await addTeamMember(env.deps, asOwner(), org, team, member);
  if (grant) await env.deps.db.insert(teamRepoPermissions).values({ repositoryId: await repoId("app"), teamId: team.id, role: grant });
}

async function robot(short: string, role: Role) {
  const { robot, token } = await createRobot(env.deps.db, { id: org.namespaceId, name: "acme" }, short, {}, asOwner());
  const grantee = { id: robot.id, username: robot.name, kind: "robot" as const, namespaceId: null, robotOwnerNamespaceId: org.namespaceId };
  await setRepositoryRole(env.deps, await repoId("app"), grantee, role, asOwner());
  return { name: robot.name, token };
}

beforeAll(async () => {
  env = await testEnv();
  owner = await person("org owner", "owner");
  org = await createOrganization(env.deps.db, { name: "acme", email: "acme@example.test" }, asOwner());
  ownerPush = new RegistryClient(env, { username: "owner", password: "password-owner" });
  image = await ownerPush.pushImage(REPO, "latest");
  const app = await repoId("app");
  const direct = (role: Role) => async (user: User) =>
    setRepositoryRole(env.deps, app, { ...user, kind: "user" }, role, asOwner());

  principals.set("anonymous", { api: { kind: "anonymous" } });
  await person("user without role", "nobody");
  await person("user with read", "reader", direct("read"));
  await person("user with write", "writer", direct("write"));
  await person("user with admin", "admin", direct("admin"));
  await person("team member, read", "tread", (u) => teamWith("readers", "member", u as Account, "read"));
  await person("team member, write", "twrite", (u) => teamWith("writers", "member", u as Account, "write"));
  await person("team creator", "tcreator", (u) => teamWith("creators", "creator", u as Account));
  await person("team admin", "tadmin", (u) => teamWith("leads", "admin", u as Account));

  for (const role of ["read", "write", "admin"] as const) {
    const r = await robot(`r${role}`, role);
    principals.set(`robot with ${role}`, { registry: { username: r.name, password: r.token }, api: { kind: "anonymous" } });
  }
  for (const scope of ["repo:read", "repo:write", "repo:admin", "repo:create", "org:admin"]) {
    const token = await createAccessToken(env.deps.db, owner.id, null, [scope]);
    principals.set(`oauth ${scope}`, { registry: { username: "$oauthtoken", password: token }, api: { kind: "token", token } });
  }
  const appToken = await createAppToken(env.deps, owner, "ci", undefined, asOwner());
  principals.set("app token", { registry: { username: "$app", password: appToken.code }, api: { kind: "anonymous" } });

  const old = await robot("rotated", "write");
  await regenerateRobotToken(env.deps.db, { id: org.namespaceId, name: "acme" }, "rotated", asOwner());
  principals.set("old robot token", { registry: { username: old.name, password: old.token }, api: { kind: "anonymous" } });

  const revoked = await createAppToken(env.deps, owner, "gone", undefined, asOwner());
  await revokeAppToken(env.deps, owner, revoked.uuid, asOwner());
  principals.set("revoked app token", { registry: { username: "$app", password: revoked.code }, api: { kind: "anonymous" } });

  const gone = await person("deleted user", "gone", direct("write"));
  await deleteAccount(env.deps.db, gone, asOwner());
});
afterAll(() => env.close());

type Outcome = "allow" | "deny";

// Registry: the actions /v2/auth grants for the scope, then the request itself; they must agree.

const REGISTRY_DENIAL_CODES = ["UNAUTHORIZED", "DENIED"];

async function registryToken(creds: Credentials["registry"], scope: string): Promise<{ status: number; token?: string; actions: string[]; body: unknown }> {
  const params = new URLSearchParams({ service: "registry.test", scope });
  const headers: Record<string, string> = creds ? { authorization: basic(creds.username, creds.password) } : {};
  const res = await env.app.request(`/v2/auth?${params}`, { headers });
  const body = (await res.json()) as { token?: string };
  if (res.status !== 200 || !body.token) return { status: res.status, actions: [], body };
  const claims = JSON.parse(Buffer.from(body.token.split(".")[1]!, "base64url").toString()) as { access: { actions: string[] }[] };
  return { status: 200, token: body.token, actions: claims.access[0]?.actions ?? [], body };
}

function expectOciDenial(status: number, body: unknown) {
  expect([401, 403]).toContain(status);
  const errors = (body as { errors?: { code: string; message: string }[] }).errors;
  expect(errors?.[0]?.message).toEqual(expect.any(String));
  expect(REGISTRY_DENIAL_CODES).toContain(errors![0]!.code);
}

async function registryDoor(creds: Credentials, action: Action, key: string): Promise<Outcome> {
  const repo = action === "createRepo" ? `acme/new-${key}` : REPO;
  const wanted = { pull: "pull", push: "push", deleteTag: "delete", createRepo: "push" }[action as string]!;
  let path = `/v2/${repo}/manifests/latest`;
  let method = "GET";
  if (action === "push" || action === "createRepo") [path, method] = [`/v2/${repo}/blobs/uploads/`, "POST"];
  if (action === "deleteTag") {
    const tag = `del-${key}`;
    const put = await ownerPush.pushManifest(REPO, tag, image.body, "application/vnd.oci.image.manifest.v1+json");
    expect(put.status).toBe(201);
    [path, method] = [`/v2/${repo}/manifests/${tag}`, "DELETE"];
  }
  const granted = await registryToken(creds.registry, `repository:${repo}:${wanted}`);
  if (granted.status !== 200) {
    // Credentials refused outright: 401 in the OCI shape, and nothing to try the request with.
    expect(granted.status).toBe(401);
    expectOciDenial(granted.status, granted.body);
    return "deny";
  }
  const headers = granted.token ? { authorization: `Bearer ${granted.token}` } : undefined;
  const res = await env.app.request(path, { method, headers });
  const body = res.status === 202 || method === "DELETE" ? undefined : await res.json().catch(() => undefined);
  const allowed = res.status >= 200 && res.status < 300;
  expect(allowed, "the token's grant and the request agree").toBe(granted.actions.includes(wanted));
  if (!allowed) expectOciDenial(res.status, body ?? (await res.json()));
  return allowed ? "allow" : "deny";
}

// API: Quay's endpoint for the action, as the principal's OAuth token or session.

async function apiDoor(creds: Credentials, action: Action, key: string): Promise<Outcome> {
  const api = new ApiClient(env, creds.api);
  const res = await {
    pull: () => api.get(`/repository/${REPO}`),
    push: () => api.put(`/repository/${REPO}`, { description: `by ${key}` }),
    createRepo: () => api.post("/repository", { namespace: "acme", repository: `api-${key}`, visibility: "private", description: "" }),
    changeVisibility: () => api.post(`/repository/${REPO}/changevisibility`, { visibility: "private" }),
    managePermissions: () => api.put(`/repository/${REPO}/permissions/user/acme+rread`, { role: "read" }),
    manageTeams: () => api.put(`/organization/acme/team/t-${key}`, { role: "member" }),
    manageRobots: () => api.put(`/organization/acme/robots/b${key.replace(/-/g, "_")}`, {}),
    manageApps: () => api.post("/organization/acme/applications", { name: `app-${key}` }),
  }[action as "pull"]();
  if (res.status >= 200 && res.status < 300) return "allow";
  expect([401, 403, 404]).toContain(res.status);
  const body = res.body as { status?: number; error_message?: string; message?: string; error?: string };
  // Quay's error body; Flask's plain {message} for a path that does not exist for the caller; or
  // Quay's CSRF refusal {error} for a write with no session and no token.
  if (body.error_message !== undefined) expect(body.status).toBe(res.status);
  else if (body.error !== undefined) expect([res.status, body.error]).toEqual([403, "CSRF token was invalid or missing."]);
  else expect(body.message).toEqual(expect.any(String));
  return "deny";
}

// UI: the page or form for the action, with the principal's browser session.

async function uiDoor(creds: Credentials, action: Action, key: string): Promise<Outcome> {
  const headers = new Headers();
  if (creds.ui) headers.set("cookie", `${SESSION_COOKIE}=${creds.ui.cookie}`);
  const form = (fields: Record<string, string>) => {
    headers.set("content-type", "application/x-www-form-urlencoded");
    return new URLSearchParams({ _csrf: creds.ui?.csrfToken ?? "", ...fields }).toString();
  };
  const request = {
    pull: () => env.app.request(`/repository/${REPO}`, { headers }),
    push: () => env.app.request(`/repository-description/${REPO}`, { method: "POST", headers, body: form({ description: `by ${key}` }) }),
    createRepo: () =>
      env.app.request("/repositories/new", {
        method: "POST",
        headers,
        body: form({ namespace: "acme", name: `ui-${key}`, description: "", visibility: "private" }),
      }),
    changeVisibility: () => env.app.request(`/repository-visibility/${REPO}`, { method: "POST", headers, body: form({ visibility: "private" }) }),
    manageTeams: () => env.app.request("/organization/acme/teams", { method: "POST", headers, body: form({ name: `ui-${key}`, role: "member" }) }),
    manageRobots: () => env.app.request("/organization/acme/robots", { method: "POST", headers, body: form({ short: `ui_${key.replace(/-/g, "_")}` }) }),
    manageApps: () => env.app.request("/organization/acme/applications", { method: "POST", headers, body: form({ name: `ui-${key}` }) }),
  }[action as "pull"];
  const res = await request();
  const location = res.headers.get("location") ?? "";
  if (res.status >= 300 && res.status < 400) return location.startsWith("/signin") ? "deny" : "allow";
  if (res.status >= 200 && res.status < 300) return "allow";
  expect(res.headers.get("content-type")).toMatch(/text\/html/);
  const html = await res.text();
  expect(html).toMatch(/<html/i);
  // A form refused at its field (creating where one may not) is the form again, with the reason.
  if (res.status === 400) expect(fieldMessage(html, "namespace")?.error).toBe(true);
  else expect([401, 403, 404]).toContain(res.status);
  return "deny";
}

const DRIVERS: Record<Door, (creds: Credentials, action: Action, key: string) => Promise<Outcome>> = {
  registry: registryDoor,
  api: apiDoor,
  ui: uiDoor,
};

function expectedOf(cell: string, door: Door): Outcome {
  const [answer, refusingDoor] = cell.split("!");
  return answer === "A" && refusingDoor !== door ? "allow" : "deny";
}

const CASES = TABLE.flatMap(([principal, row, doors]) => {
  const cells = row.trim().split(/\s+/);
  return doors.flatMap((door) =>
    ACTIONS.flatMap((action, i) =>
      DOOR_ACTIONS[door].includes(action) && cells[i] !== "-"
        ? [{ principal, door, action, expected: expectedOf(cells[i]!, door) }]
        : [],
    ),
  );
});

describe("access matrix", () => {
  it("has a cell for every action of every principal", () => {
    for (const [, row] of TABLE) expect(row.trim().split(/\s+/)).toHaveLength(ACTIONS.length);
  });

  it.each(CASES)("$principal · $action · $door → $expected", async ({ principal, door, action, expected }) => {
    const creds = principals.get(principal)!;
    expect(await DRIVERS[door](creds, action, slug(`${door}-${principal}`))).toBe(expected);
  });
});
