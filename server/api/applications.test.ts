import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../../db/schema.ts";
import { ApiClient, problem, sessionClient, tokenClient } from "../../e2e/support/api-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { createOrganization, type Organization } from "../domain/accounts/organizations.ts";
import { toPrincipal, type User } from "../domain/accounts/users.ts";
import { avatar } from "./avatar.ts";

interface App {
  name: string;
  description: string;
  application_uri: string;
  client_id: string;
  client_secret: string;
  redirect_uri: string;
  avatar_email: string | null;
}

describe("OAuth applications: /api/v1/organization/{org}/applications", () => {
  let env: TestEnv;
  let owner: User;
  let admin: ApiClient;
  let org: Organization;
  beforeAll(async () => {
    env = await testEnv();
    owner = await env.user("owner");
    org = await createOrganization(env.deps.db, { name: "acme", email: "acme@example.com" }, { principal: toPrincipal(owner) });
    admin = await sessionClient(env, owner);
  });
  afterAll(() => env.close());

  const kinds = async () =>
    (await env.deps.db.select().from(auditLog).where(eq(auditLog.namespaceId, org.namespaceId))).map((r) => [r.kind, r.metadata]);

  it("lists none, creates (200), reads, updates, resets the secret and deletes, with audit rows", async () => {
    expect((await admin.get("/organization/acme/applications")).body).toEqual({ applications: [] });

    const created = await admin.post<App>("/organization/acme/applications", { name: "ci", redirect_uri: "http://ci.test/cb" });
    expect(created.status).toBe(200);
    const app = created.body;
    expect(app).toEqual({
      name: "ci",
      description: "",
      application_uri: "",
      client_id: expect.stringMatching(/^[\w-]{20}$/),
      client_secret: expect.stringMatching(/^[\w-]{40}$/),
      redirect_uri: "http://ci.test/cb",
      avatar_email: null,
    });
    expect((await admin.get("/organization/acme/applications")).body).toEqual({ applications: [app] });
    expect((await admin.get(`/organization/acme/applications/${app.client_id}`)).body).toEqual(app);

    const updated = await admin.put<App>(`/organization/acme/applications/${app.client_id}`, {
      name: "ci2",
      redirect_uri: "http://ci.test/cb2",
      application_uri: "http://ci.test",
      description: "builds",
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ ...app, name: "ci2", redirect_uri: "http://ci.test/cb2", application_uri: "http://ci.test", description: "builds" });

    const reset = await admin.post<App>(`/organization/acme/applications/${app.client_id}/resetclientsecret`);
    expect(reset.status).toBe(200);
    expect(reset.body.client_secret).not.toBe(app.client_secret);
    expect(reset.body.client_id).toBe(app.client_id);

    const pub = await new ApiClient(env).get(`/app/${app.client_id}`);
    expect(pub.body).toEqual({
      name: "ci2",
      description: "builds",
      uri: "http://ci.test",
      avatar: avatar("ci2", "acme@example.com", "app"),
      organization: { name: "acme", email: "", avatar: avatar("acme", "acme@example.com", "org"), is_admin: false, is_member: false },
    });

    expect((await admin.delete(`/organization/acme/applications/${app.client_id}`)).status).toBe(204);
    expect((await admin.get(`/organization/acme/applications/${app.client_id}`)).body).toEqual(problem(404, "not_found", "Not Found"));
    expect((await new ApiClient(env).get(`/app/${app.client_id}`)).status).toBe(404);

    const ids = { application_name: "ci", client_id: app.client_id };
    expect(await kinds()).toEqual([
      ["org_create", expect.anything()],
      ["create_application", { ...ids, name: "ci", redirect_uri: "http://ci.test/cb" }],
      ["update_application", { ...ids, application_name: "ci2", name: "ci2", redirect_uri: "http://ci.test/cb2", application_uri: "http://ci.test", description: "builds" }],
      ["reset_application_client_secret", { ...ids, application_name: "ci2" }],
      ["delete_application", { ...ids, application_name: "ci2" }],
    ]);
  });

  it("validates bodies as Quay does", async () => {
    expect((await admin.post("/organization/acme/applications", {})).body).toEqual(problem(400, "invalid_request", "'name' is a required property"));
    const { body: app } = await admin.post<App>("/organization/acme/applications", { name: "x" });
    expect((await admin.put(`/organization/acme/applications/${app.client_id}`, { name: "y", redirect_uri: "" })).body).toEqual(
      problem(400, "invalid_request", "'application_uri' is a required property"),
    );
  });

  it("refuses non-admins, tokens without org:admin and anonymous callers", async () => {
    const { body: app } = await admin.post<App>("/organization/acme/applications", { name: "z" });
    const stranger = await sessionClient(env, await env.user("stranger"));
    for (const path of ["/organization/acme/applications", `/organization/acme/applications/${app.client_id}`, "/organization/nope/applications"]) {
      expect((await stranger.get(path)).body).toEqual(problem(403, "insufficient_scope", "Unauthorized"));
    }
    expect((await stranger.post("/organization/acme/applications", { name: "evil" })).status).toBe(403);
    const noScope = await tokenClient(env, owner, ["repo:admin", "user:admin"]);
    expect((await noScope.get("/organization/acme/applications")).status).toBe(403);
    const scoped = await tokenClient(env, owner, ["org:admin"]);
    expect((await scoped.get("/organization/acme/applications")).status).toBe(200);
    expect((await new ApiClient(env).get("/organization/acme/applications")).body).toEqual(problem(401, "invalid_token", "Requires authentication"));
    expect((await admin.get("/app/unknown")).body).toEqual(problem(404, "not_found", "Not Found"));
    // The public view shows the organization's settings to its admins.
    const own = await admin.get<{ organization: Record<string, unknown> }>(`/app/${app.client_id}`);
    expect(own.body.organization).toMatchObject({ email: "acme@example.com", is_admin: true, is_member: true, tag_expiration_s: 1209600 });
  });
});

