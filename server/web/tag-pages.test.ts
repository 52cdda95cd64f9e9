// The tag page and the tag history's actions through the HTML door: who may see and change what,
// the questions before a move, delete, revert and permanent delete, expiry from the date field,
// and refusals shown at their fields.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fieldMessage, PageClient, signedInClient } from "../../e2e/support/page-client.ts";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { findUserByName, toPrincipal } from "../domain/accounts/users.ts";
import type { Clock } from "../domain/clock.ts";
import { liveTag } from "../domain/content/tags.ts";
import { findRepository, setVisibility } from "../domain/repositories/repositories.ts";

const T0 = Date.UTC(2030, 3, 1, 9, 0, 0);
let now = T0;
const clock: Clock = { now: () => new Date(now) };

let env: TestEnv;
let alice: PageClient;
let a: string;
let b: string;

const tagUrl = (tag: string, path = "/repository-tag/alice/site") => `${path}?${new URLSearchParams({ tag })}`;
const live = async (tag: string) => {
  const repo = (await findRepository(env.deps.db, { namespace: "alice", name: "site" }))!;
  return liveTag(env.deps.db, repo.id, tag, clock.now());
};

beforeAll(async () => {
  env = await testEnv({}, { clock });
  await env.user("alice");
  await env.user("bob");
  const registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
  a = (await registry.pushImage("alice/site", "prod")).digest;
  now += 60_000;
  b = (await registry.pushImage("alice/site", "next")).digest;
  alice = await signedInClient(env.app, "alice");
});
afterAll(() => env.close());

describe("the tag page", () => {
  it("shows the tag's manifest, expiry and history, with the forms for writers", async () => {
    const res = await alice.get(tagUrl("prod"));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`data-testid="tag-digest">${a}<`);
    expect(html).toContain('data-testid="tag-expires">Never<');
    expect(html).toContain('data-testid="history-row"');
    for (const id of ["add-tag", "move-tag", "tag-expiration", "delete-tag"]) expect(html).toContain(`data-testid="${id}"`);
  });

  it("is a 404 for a tag that never was and for those who may not read; readers get no forms", async () => {
    expect((await alice.get(tagUrl("never"))).status).toBe(404);
    const bob = await signedInClient(env.app, "bob");
    expect((await bob.get(tagUrl("prod"))).status).toBe(404);
    const owner = (await findUserByName(env.deps.db, "alice"))!;
    const repo = (await findRepository(env.deps.db, { namespace: "alice", name: "site" }))!;
    await setVisibility(env.deps, { principal: toPrincipal(owner) }, repo, "public");
    const page = await (await bob.get(tagUrl("prod"))).text();
    expect(page).toContain(`data-testid="tag-digest">${a}<`);
    expect(page).not.toContain('data-testid="move-tag"');
    expect((await bob.submit(tagUrl("prod"), tagUrl("prod", "/repository-tag-add/alice/site"), { new_tag: "mine" })).status).toBe(404);
    expect(await live("mine")).toBeUndefined();
  });
});

describe("changes from the tag page", () => {
  it("adds another tag to the manifest, refusing a bad name at its field", async () => {
    const bad = await alice.submit(tagUrl("prod"), tagUrl("prod", "/repository-tag-add/alice/site"), { new_tag: "-bad" });
    expect(bad.status).toBe(400);
    expect(fieldMessage(await bad.text(), "new_tag")).toMatchObject({ error: true });
    const added = await alice.submit(tagUrl("prod"), tagUrl("prod", "/repository-tag-add/alice/site"), { new_tag: "stable" });
    expect(added.status).toBe(303);
    expect(added.headers.get("location")).toBe("/repository-tag/alice/site?tag=stable&done=added");
    expect((await live("stable"))?.manifestId).toBe((await live("prod"))!.manifestId);
    // A name already on another manifest is a move: asked first.
    const move = await alice.submit(tagUrl("prod"), tagUrl("prod", "/repository-tag-add/alice/site"), { new_tag: "next" });
    expect(move.status).toBe(303);
    expect(move.headers.get("location")).toBe(`/repository-tag-move/alice/site?tag=next&digest=${encodeURIComponent(a)}`);
    expect((await live("next"))!.manifestId).not.toBe((await live("prod"))!.manifestId);
  });

  it("asks before moving, showing from and to, then moves", async () => {
    const unknown = await alice.get(`/repository-tag-move/alice/site?tag=prod&digest=sha256:${"0".repeat(64)}`);
    expect(unknown.status).toBe(400);
    expect(fieldMessage(await unknown.text(), "digest")).toMatchObject({ error: true, text: "No manifest with this digest in the repository" });
    const question = await alice.get(`/repository-tag-move/alice/site?tag=prod&digest=${b}`);
    const html = await question.text();
    expect(html).toContain('role="alertdialog"');
    expect(html).toContain(`data-testid="confirm-from">${a.slice(0, 19)}<`);
    expect(html).toContain(`data-testid="confirm-to">${b.slice(0, 19)}<`);
    expect((await live("prod"))!.manifestId).not.toBe((await live("next"))!.manifestId);
    const moved = await alice.submit(`/repository-tag-move/alice/site?tag=prod&digest=${b}`, `/repository-tag-move/alice/site?tag=prod&digest=${b}`, {});
    expect(moved.status).toBe(303);
    expect((await live("prod"))!.manifestId).toBe((await live("next"))!.manifestId);
  });

  it("sets an expiry from the date field (UTC) and clears it", async () => {
    const past = await alice.submit(tagUrl("prod"), tagUrl("prod", "/repository-tag-expiration/alice/site"), { expires_at: "2030-03-01T00:00" });
    expect(fieldMessage(await past.text(), "expires_at")).toMatchObject({ error: true, text: "Choose a time in the future" });
    const set = await alice.submit(tagUrl("prod"), tagUrl("prod", "/repository-tag-expiration/alice/site"), { expires_at: "2030-04-03T10:30" });
    expect(set.status).toBe(303);
    expect((await live("prod"))!.expiresAt).toEqual(new Date("2030-04-03T10:30:00Z"));
    expect(await (await alice.get(tagUrl("prod"))).text()).toContain('<time datetime="2030-04-03T10:30:00.000Z">');
    await alice.submit(tagUrl("prod"), tagUrl("prod", "/repository-tag-expiration/alice/site"), { expires_at: "" });
    expect((await live("prod"))!.expiresAt).toBeNull();
  });

  it("asks before deleting; the deleted tag's page offers Restore, which brings it back", async () => {
    now += 60_000;
    const question = await alice.get(tagUrl("prod", "/repository-tag-delete/alice/site"));
    expect(await question.text()).toContain("Delete prod?");
    const deleted = await alice.submit(tagUrl("prod", "/repository-tag-delete/alice/site"), tagUrl("prod", "/repository-tag-delete/alice/site"), {});
    expect(deleted.status).toBe(303);
    expect(await live("prod")).toBeUndefined();
    const page = await (await alice.get(tagUrl("prod"))).text();
    expect(page).toContain("This tag is not live");
    const restore = /action="(\/repository-tag-restore\/alice\/site\?tag=prod&amp;digest=([^"]+))"/.exec(page)!;
    expect(restore[2]).toBe(encodeURIComponent(b));
    now += 60_000;
    const restored = await alice.submit(tagUrl("prod"), restore[1]!.replaceAll("&amp;", "&"), {});
    expect(restored.status).toBe(303);
    expect((await live("prod"))!.manifestId).toBe((await live("next"))!.manifestId);
    expect(await (await alice.get(tagUrl("prod"))).text()).toContain("restored</span>");
  });

  it("reverts to an earlier manifest after asking, and permanently deletes history after asking", async () => {
    const page = await (await alice.get(tagUrl("prod"))).text();
    const revertHref = `/repository-tag-revert/alice/site?tag=prod&digest=${encodeURIComponent(a)}`;
    expect(page).toContain(revertHref.replaceAll("&", "&amp;"));
    expect(await (await alice.get(revertHref)).text()).toContain("Revert prod?");
    expect((await alice.submit(revertHref, revertHref, {})).status).toBe(303);
    expect((await live("prod"))!.manifestId).toBe((await live("stable"))!.manifestId);
    const purgeHref = `/repository-tag-purge/alice/site?tag=prod&digest=${encodeURIComponent(b)}`;
    expect(await (await alice.get(tagUrl("prod"))).text()).toContain(purgeHref.replaceAll("&", "&amp;"));
    expect(await (await alice.get(purgeHref)).text()).toContain("Permanently delete prod at");
    expect((await alice.submit(purgeHref, purgeHref, {})).status).toBe(303);
    expect(await (await alice.get(tagUrl("prod"))).text()).not.toContain(purgeHref.replaceAll("&", "&amp;"));
    // Nothing left of prod at b to restore: the refusal shows on the page.
    const refused = await alice.submit(tagUrl("prod"), `/repository-tag-purge/alice/site?tag=prod&digest=${encodeURIComponent(b)}`, {});
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('data-testid="tag-problem"');
  });
});
