// In-app delivery and who sees what: a user target reaches that person, a team target each of its
// people (robots skipped), an organization target the organization's row, which its admins see
// (and members of other teams do not); a stranger never sees or dismisses someone else's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestEnv, testEnv } from "../../../e2e/support/test-app.ts";
import { createOrganization, type Organization } from "../accounts/organizations.ts";
import { createRobot } from "../accounts/robots.ts";
import { addTeamMember, findAccount, saveTeam } from "../accounts/teams.ts";
import { toPrincipal, type User } from "../accounts/users.ts";
import { countUnread, deliverInApp, dismissAll, findInApp, type InAppDelivery, listInApp, setDismissed, UNREAD_CAP, type Viewer } from "./in-app.ts";

let env: TestEnv;
let alice: User;
let bob: User;
let carol: User;
let org: Organization;

const viewer = (u: User): Viewer => ({ userId: u.id, namespaceId: u.namespaceId });
const push = (target: InAppDelivery["target"], tag = "latest"): InAppDelivery => ({
  repositoryNamespace: "acme",
  target,
  kind: "repo_push",
  metadata: { repository: "acme/web", namespace: "acme", name: "web", updated_tags: [tag] },
});
const kindsAndTags = async (u: User) =>
  (await listInApp(env.deps.db, viewer(u), { offset: 0, limit: 50 })).map((n) => `${n.organization ?? "-"}:${(n.metadata.updated_tags as string[])[0]}`);

beforeAll(async () => {
  env = await testEnv();
  alice = await env.user("alice");
  bob = await env.user("bob");
  carol = await env.user("carol");
  const actor = { principal: toPrincipal(alice) };
  org = await createOrganization(env.deps.db, { name: "acme", email: "acme@example.com" }, actor);
  const ref = { namespaceId: org.namespaceId, name: "acme" };
  const { team } = await saveTeam(env.deps, actor, ref, "devs", { role: "member" });
  await addTeamMember(env.deps, actor, ref, team, (await findAccount(env.deps.db, "bob"))!);
  await createRobot(env.deps.db, { id: org.namespaceId, name: "acme" }, "ci", {}, actor);
  await addTeamMember(env.deps, actor, ref, team, (await findAccount(env.deps.db, "acme+ci"))!);
});
afterAll(() => env.close());

describe("deliverInApp", () => {
  it("reaches a user, each person of a team, and the organization's admins", async () => {
    expect(await deliverInApp(env.deps, push({ kind: "user", name: "carol" }, "to-carol"))).toBe(1);
    expect(await deliverInApp(env.deps, push({ kind: "team", name: "devs" }, "to-devs"))).toBe(1); // bob; the robot is skipped
    expect(await deliverInApp(env.deps, push({ kind: "org", name: "acme" }, "to-acme"))).toBe(1);

    expect(await kindsAndTags(carol)).toEqual(["-:to-carol"]);
    expect(await kindsAndTags(bob)).toEqual(["-:to-devs"]); // a member of a non-admin team: not the org's
    expect(await kindsAndTags(alice)).toEqual(["acme:to-acme"]); // alice is in the owners team
  });

  it("writes nothing for a user or team that no longer exists, and refuses another organization", async () => {
    expect(await deliverInApp(env.deps, push({ kind: "user", name: "nobody" }))).toBe(0);
    expect(await deliverInApp(env.deps, push({ kind: "user", name: "acme+ci" }))).toBe(0);
    expect(await deliverInApp(env.deps, push({ kind: "team", name: "gone" }))).toBe(0);
    await expect(deliverInApp(env.deps, { ...push({ kind: "org", name: "acme" }), repositoryNamespace: "alice" })).rejects.toThrow(
      "Organization name must match repository namespace",
    );
  });
});

describe("reading and dismissing", () => {
  it("lists newest first, counts the undismissed, dismisses one or all for the viewer only", async () => {
    const dave = await env.user("dave");
    for (const tag of ["one", "two", "three"]) await deliverInApp(env.deps, push({ kind: "user", name: "dave" }, tag));
    expect(await kindsAndTags(dave)).toEqual(["-:three", "-:two", "-:one"]);
    expect(await countUnread(env.deps.db, viewer(dave))).toBe(3);

    const [newest] = await listInApp(env.deps.db, viewer(dave), { offset: 0, limit: 1 });
    expect(await setDismissed(env.deps.db, viewer(carol), newest!.uuid, true)).toBeUndefined();
    expect(await findInApp(env.deps.db, viewer(carol), newest!.uuid)).toBeUndefined();
    expect(await setDismissed(env.deps.db, viewer(dave), newest!.uuid, true)).toMatchObject({ dismissed: true });
    expect(await countUnread(env.deps.db, viewer(dave))).toBe(2);
    expect(await kindsAndTags(dave)).toEqual(["-:two", "-:one"]);
    expect(await listInApp(env.deps.db, viewer(dave), { offset: 0, limit: 9, includeDismissed: true })).toHaveLength(3);

    expect(await dismissAll(env.deps.db, viewer(dave))).toBe(2);
    expect(await countUnread(env.deps.db, viewer(dave))).toBe(0);
    expect(await countUnread(env.deps.db, viewer(carol))).toBe(1);
    expect(await findInApp(env.deps.db, viewer(dave), "not-a-uuid")).toBeUndefined();
  });

  it("counts up to the cap", async () => {
    const erin = await env.user("erin");
    await Promise.all(Array.from({ length: UNREAD_CAP + 3 }, () => deliverInApp(env.deps, push({ kind: "user", name: "erin" }))));
    expect(await countUnread(env.deps.db, viewer(erin))).toBe(UNREAD_CAP);
  });
});
