// The manifest page in Chromium, for images a real builder made: buildah builds an image from a
// Containerfile of several steps (ADD, COPY, ENV, LABEL, RUN) and pushes it; its page shows each
// layer with the instruction that made it and the steps that made none, and its labels. Then a
// two-architecture index made with `buildah manifest` shows its children, each linking to its
// page. Every page visited passes the accessibility check.
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../server/domain/accounts/users.ts";
import { ClientSandbox, ok, requireTools, runOk, staticBusybox } from "../clients/tools.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { expectAccessible, fitsViewport, launchChromium, MOBILE, openPage, signIn } from "./browser.ts";

const ALICE = { username: "alice", password: "alice-password" };

let server: TestServer;
let browser: Browser;
let builder: ClientSandbox;
let work: string;

beforeAll(async () => {
  requireTools("buildah", "tar");
  staticBusybox();
  server = await testServer();
  await createUser(server.deps.db, ALICE, { principal: { kind: "anonymous" } });
  builder = await ClientSandbox.create();
  ok(
    await builder.buildah(["login", "--tls-verify=false", "--authfile", builder.authFile, "-u", ALICE.username, "--password-stdin", server.host], {
      input: `${ALICE.password}\n`,
      timeout: 30_000,
    }),
    "buildah login",
  );
  work = await mkdtemp(join(tmpdir(), "quayside-manifest-page-"));
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await builder?.close();
  if (work) await rm(work, { recursive: true, force: true });
  await server?.close();
});

/** Builds `containerfile` in a context holding hello.txt (and a busybox rootfs.tar) as `ref`. */
async function build(name: string, containerfile: string, ref: string, extra: string[] = []): Promise<void> {
  const ctx = join(work, name);
  const rootfs = join(ctx, "rootfs");
  await mkdir(join(rootfs, "bin"), { recursive: true });
  await copyFile(staticBusybox(), join(rootfs, "bin", "busybox"));
  await symlink("busybox", join(rootfs, "bin", "sh"));
  await runOk("tar", ["-C", rootfs, "-cf", join(ctx, "rootfs.tar"), "."], { timeout: 30_000 });
  await rm(rootfs, { recursive: true });
  await writeFile(join(ctx, "hello.txt"), `hello from ${name}\n`);
  await writeFile(join(ctx, "Containerfile"), containerfile);
  ok(await builder.buildah(["bud", "--layers", "--isolation", "chroot", ...extra, "-t", ref, ctx], { timeout: 120_000 }), `buildah bud ${name}`);
}

async function push(source: string, destination: string, args: string[] = ["push"]): Promise<string> {
  const digestFile = join(builder.dir, `digest-${Math.random()}`);
  ok(
    await builder.buildah([...args, "--tls-verify=false", "--authfile", builder.authFile, "--digestfile", digestFile, source, `docker://${destination}`], {
      timeout: 60_000,
    }),
    args.join(" "),
  );
  return (await readFile(digestFile, "utf8")).trim();
}

const cellTexts = (page: Page, selector: string) => page.locator(selector).allTextContents();

describe("the manifest page", () => {
  it("shows each layer of a buildah-built image with the instruction that made it", async () => {
    const ref = `${server.host}/alice/app:v1`;
    await build(
      "steps",
      [
        "FROM scratch",
        "ADD rootfs.tar /",
        "COPY hello.txt /hello.txt",
        "ENV GREETING=hello",
        "LABEL com.example.team=blue",
        "RUN echo built > /built.txt",
        "",
      ].join("\n"),
      ref,
    );
    const digest = await push(ref, ref);

    const page = await openPage(browser);
    await signIn(page, server.url, ALICE.username, ALICE.password);
    await page.goto(`${server.url}/repository/alice/app/manifest/${digest}`);
    await expectAccessible(page);
    expect(await page.textContent('[data-testid="manifest-digest"] code')).toBe(digest);
    expect(await page.inputValue("#pull-by-digest")).toBe(`podman pull ${server.host}/alice/app@${digest}`);

    // Three steps made layers, two (ENV, LABEL) made none; each shows its instruction.
    const layers = await cellTexts(page, '[data-testid="layer-row"] [data-testid="instruction"]');
    expect(layers).toHaveLength(3);
    expect(layers[0]).toMatch(/^ADD /);
    expect(layers[1]).toMatch(/^COPY .*\/hello\.txt/);
    expect(layers[2]).toMatch(/^RUN echo built > \/built\.txt/);
    const empty = await cellTexts(page, '[data-testid="empty-step-row"] [data-testid="instruction"]');
    expect(empty).toHaveLength(2);
    expect(empty[0]).toMatch(/^ENV GREETING=hello/);
    expect(empty[1]).toMatch(/^LABEL com\.example\.team=blue/);

    // The image's LABEL is a label of the manifest; writers add their own and delete them after a question.
    expect(await cellTexts(page, '[data-testid="label-row"] code')).toContain("com.example.team");
    await page.fill("#field-key", "env");
    await page.fill("#field-value", "prod");
    await page.click('form[action^="/manifest-labels/"] button[type="submit"]');
    await page.waitForSelector('[data-testid="manifest-notice"]');
    expect(await cellTexts(page, '[data-testid="label-row"] code')).toContain("env");
    await expectAccessible(page);
    await page.click('a[aria-label="Delete label env"]');
    await page.waitForSelector('[role="alertdialog"]');
    await expectAccessible(page);
    await page.click('[data-testid="confirm"]');
    await page.waitForSelector('[data-testid="manifest-notice"]');
    expect(await cellTexts(page, '[data-testid="label-row"] code')).not.toContain("env");

    // At phone width the page still fits: digests and instructions wrap.
    const phone = await openPage(browser, MOBILE);
    await signIn(phone, server.url, ALICE.username, ALICE.password);
    await phone.goto(`${server.url}/repository/alice/app/manifest/${digest}`);
    await expectAccessible(phone);
    expect(await fitsViewport(phone)).toBe(true);
  }, 240_000);

  it("shows a multi-architecture index's children, each linking to its own page", async () => {
    const amd = `${server.host}/alice/multi:amd64`;
    const arm = `${server.host}/alice/multi:arm64`;
    const containerfile = "FROM scratch\nCOPY hello.txt /hello.txt\n";
    await build("amd64", containerfile, amd, ["--arch", "amd64"]);
    await build("arm64", containerfile, arm, ["--arch", "arm64", "--variant", "v8"]);
    ok(await builder.buildah(["manifest", "create", "multi-list"]), "buildah manifest create");
    ok(await builder.buildah(["manifest", "add", "multi-list", `containers-storage:${amd}`]), "buildah manifest add amd64");
    ok(await builder.buildah(["manifest", "add", "multi-list", `containers-storage:${arm}`]), "buildah manifest add arm64");
    const digest = await push("multi-list", `${server.host}/alice/multi:latest`, ["manifest", "push", "--all"]);

    const page = await openPage(browser);
    await signIn(page, server.url, ALICE.username, ALICE.password);
    await page.goto(`${server.url}/repository/alice/multi/manifest/${digest}`);
    await expectAccessible(page);
    expect(await page.textContent("h1")).toContain("Multi-architecture index");
    const rows = page.locator('[data-testid="child-row"]');
    expect(await rows.count()).toBe(2);
    const platforms = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].slice(0, 3).map((td) => td.textContent)));
    expect(platforms).toEqual(
      expect.arrayContaining([
        ["linux", "amd64", "—"],
        ["linux", "arm64", "v8"],
      ]),
    );

    await rows.filter({ hasText: "arm64" }).locator("a").click();
    await page.waitForURL(/\/repository\/alice\/multi\/manifest\/sha256:/);
    await expectAccessible(page);
    expect(await page.textContent('[data-testid="manifest-kind"]')).toContain("Image");
    const instructions = await cellTexts(page, '[data-testid="layer-row"] [data-testid="instruction"]');
    expect(instructions).toHaveLength(1);
    expect(instructions[0]).toMatch(/^COPY .*\/hello\.txt/);
  }, 240_000);
});
