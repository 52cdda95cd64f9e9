// Team invitations with mail configured (Quay's REQUIRE_TEAM_INVITE): a person new to the
// organization is invited by mail and joins by accepting the code; robots and people already in
// one of its teams are added at once; invitations by address; withdrawing and declining. Mail
// goes to an SMTP sink on 127.0.0.1. Without mail, the invitation endpoints do not exist.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../../db/schema.ts";
import { ApiClient, problem, sessionClient } from "../../e2e/support/api-client.ts";
import { PageClient, signedInClient } from "../../e2e/support/page-client.ts";
import { type SmtpSink, startSmtpSink } from "../../e2e/support/smtp-sink.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { findOrganization, type Organization } from "../domain/accounts/organizations.ts";
import type { User } from "../domain/accounts/users.ts";
import { avatar } from "./avatar.ts";

let smtp: SmtpSink;
let env: TestEnv;
let api: ApiClient;
let org: Organization;
let bob: User;

beforeAll(async () => {
  smtp = await startSmtpSink();
  env = await testEnv({ QUAYSIDE_SMTP_URL: smtp.url, QUAYSIDE_MAIL_FROM: "registry@quayside.test" });
  const alice = await env.user("alice");
  bob = await env.user("bob");
  api = await sessionClient(env, alice);
  await api.post("/organization/", { name: "acme" });
  await api.put("/organization/acme/team/devs", { role: "member" });
  org = (await findOrganization(env.deps.db, "acme"))!;
});
afterAll(async () => {
  await env.close();
  await smtp.close();
});

const codeMailedTo = (to: string) => smtp.invitationCode(to);

const logged = async (kind: string) =>
  (await env.deps.db.select().from(auditLog).where(and(eq(auditLog.namespaceId, org.namespaceId), eq(auditLog.kind, kind)))).map((r) => r.metadata);

describe("with mail configured", () => {
  it("invites a person new to the organization, who joins by accepting the mailed code", async () => {
    const res = await api.put("/organization/acme/team/devs/members/bob");
    expect(res).toMatchObject({ status: 200, body: { name: "bob", kind: "user", is_robot: false, invited: true } });
    expect((await api.get<{ members: unknown[] }>("/organization/acme/team/devs/members")).body.members).toEqual([]);
    expect((await api.get<{ members: unknown[] }>("/organization/acme/team/devs/members?includePending=true")).body.members).toEqual([
      { name: "bob", kind: "user", is_robot: false, avatar: avatar("bob", bob.email, "user"), invited: true },
    ]);
    expect(await logged("org_invite_team_member")).toContainEqual({ user: "bob", member: "bob", team: "devs" });

    const code = codeMailedTo(bob.email);
    const bobApi = await sessionClient(env, bob);
    const carol = await sessionClient(env, await env.user("carol"));
    expect(await carol.put(`/teaminvite/${code}`)).toMatchObject({
      status: 400,
      body: { message: 'This invite is intended for user "bob". Please login to that account and try again.' },
    });
    expect(await bobApi.put(`/teaminvite/${code}`)).toMatchObject({ status: 200, body: { org: "acme", team: "devs" } });
    expect(await logged("org_team_member_invite_accepted")).toContainEqual({ member: "bob", team: "devs", inviter: "alice" });
    expect((await api.get<{ members: { name: string; invited: boolean }[] }>("/organization/acme/team/devs/members?includePending=true")).body.members).toEqual([
      expect.objectContaining({ name: "bob", invited: false }),
    ]);
    expect(await bobApi.put(`/teaminvite/${code}`)).toMatchObject({ status: 400, body: { message: "Invalid confirmation code." } });
  });

  it("adds people already in one of its teams and its robots at once", async () => {
    await api.put("/organization/acme/team/ops", { role: "member" });
    expect((await api.put("/organization/acme/team/ops/members/bob")).body).toMatchObject({ name: "bob", invited: false });
    await api.put("/organization/acme/robots/ci");
    expect((await api.put("/organization/acme/team/ops/members/acme+ci")).body).toMatchObject({ name: "acme+ci", is_robot: true, invited: false });
  });

  it("invites an address, lists it as pending and withdraws it (then 404)", async () => {
    const res = await api.put("/organization/acme/team/devs/invite/new@acme.test");
    expect(res).toMatchObject({ status: 200, body: { email: "new@acme.test", kind: "invite", avatar: avatar("new@acme.test", "new@acme.test", "user"), invited: true } });
    expect(smtp.inbox.some((m) => m.to === "new@acme.test" && m.body.includes("Invitation to join team devs of acme"))).toBe(true);
    expect((await api.get<{ members: unknown[] }>("/organization/acme/team/devs/members?includePending=True")).body.members).toContainEqual(
      expect.objectContaining({ email: "new@acme.test", kind: "invite" }),
    );
    expect((await api.delete("/organization/acme/team/devs/invite/new@acme.test")).status).toBe(204);
    expect(await api.delete("/organization/acme/team/devs/invite/new@acme.test")).toMatchObject({ status: 404, body: problem(404, "not_found", "Not Found") });
    expect(await logged("org_delete_team_member_invite")).toContainEqual({ email: "new@acme.test", member: "new@acme.test", team: "devs" });
  });

  it("withdraws a person's invitation through the member DELETE, and a declined one is used up", async () => {
    const dave = await env.user("dave");
    await api.put("/organization/acme/team/devs/members/dave");
    expect((await api.delete("/organization/acme/team/devs/members/dave")).status).toBe(204);
    expect(await logged("org_delete_team_member_invite")).toContainEqual({ user: "dave", member: "dave", team: "devs" });

    await api.put("/organization/acme/team/devs/members/dave");
    const code = codeMailedTo(dave.email);
    const daveApi = await sessionClient(env, dave);
    expect((await daveApi.delete(`/teaminvite/${code}`)).status).toBe(204);
    expect(await logged("org_team_member_invite_declined")).toContainEqual({ member: "dave", team: "devs", inviter: "alice" });
    expect((await daveApi.put(`/teaminvite/${code}`)).status).toBe(400);
    expect((await new ApiClient(env).put(`/teaminvite/${code}`)).status).toBe(403); // no session, no CSRF token
  });
});

describe("in the browser", () => {
  it("an admin's add invites someone new, whose mailed link lets them join", async () => {
    const erinAccount = await env.user("erin");
    const alice = await signedInClient(env.app, "alice");
    const added = await alice.submit("/organization/acme/teams/devs", "/organization/acme/teams/devs/members", { member: "erin" });
    expect(added.status).toBe(303);
    expect(added.headers.get("location")).toBe("/organization/acme/teams/devs?invited=erin");
    expect(await (await alice.get("/organization/acme/teams/devs?invited=erin")).text()).toContain("erin was invited by mail");
    const code = codeMailedTo(erinAccount.email);

    const link = `/confirminvite?code=${encodeURIComponent(code)}`;
    const signedOut = await new PageClient(env.app).get(link);
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get("location")).toBe(`/signin?${new URLSearchParams({ next: `/confirminvite?code=${code}` })}`);

    const erin = await signedInClient(env.app, "erin");
    expect(await (await erin.get(link)).text()).toContain("Join team devs of acme?");
    const joined = await erin.submit(link, "/confirminvite", { code });
    expect(joined.status).toBe(303);
    expect(joined.headers.get("location")).toBe("/organization/acme/teams/devs");
    expect((await erin.get("/organization/acme/teams/devs")).status).toBe(200);
    const again = await erin.get(link);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("Invalid confirmation code.");
  });
});
