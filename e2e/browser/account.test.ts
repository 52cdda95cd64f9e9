// Accounts and the page frame in Chromium, at desktop width and 390 px: long names and
// descriptions never overflow, signing out twice is harmless, an expired session sends htmx
// requests to sign-in (and back), failed htmx requests say so on the page, sign-up explains each
// refusal next to its field, focus lands on the field in error, and the icon is served.
import type { Browser, Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessions } from "../../db/schema.ts";
import { createRepository } from "../../server/domain/repositories/repositories.ts";
import { createUser, toPrincipal, type User } from "../../server/domain/accounts/users.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { DESKTOP, fitsViewport, focusedId, launchChromium, MOBILE, openPage, expectAccessible } from "./browser.ts";

const ADMIN = { username: "admin", password: "admin-password-1", email: "admin@example.com" };
/** The longest user name Quay allows. */
const LONG_NAME = "l".repeat(255);
const LONG_DESCRIPTION = "averyveryverylongdescriptionwithoutanyspaces".repeat(8);
const WIDTHS = [
  ["desktop", DESKTOP],
  ["390 px", MOBILE],
] as const;

let server: TestServer;
let browser: Browser;

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(`${server.url}/signin`);
  await page.fill("#field-username", username);
  await page.fill("#field-password", password);
  await page.click('button[type="submit"]');
  await page.waitForURL((url) => url.pathname !== "/signin");
}

/** Every session in the database ends now, as if its two weeks had passed. */
async function expireSessions(): Promise<void> {
  await server.deps.db.update(sessions).set({ expiresAt: new Date(Date.now() - 60_000) });
}

/** The element's box lies within the viewport's width. */
async function withinViewport(page: Page, selector: string): Promise<boolean> {
  const box = await page.locator(selector).boundingBox();
  const width = page.viewportSize()!.width;
  return box !== null && box.x >= 0 && box.x + box.width <= width;
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `/tmp/quayside-account-${name}.png`, fullPage: true, animations: "disabled" });
}

beforeAll(async () => {
  server = await testServer();
  const anonymous = { principal: { kind: "anonymous" as const }, ip: null };
  const admin = await createUser(server.deps.db, { ...ADMIN, superuser: true }, anonymous);
  const long: User = await createUser(server.deps.db, { username: LONG_NAME, password: "long-password-1" }, anonymous);
  const as = (user: User) => ({ principal: toPrincipal(user), ip: null });
  await createRepository(server.deps.db, as(long), { namespace: LONG_NAME, name: "wide", visibility: "public", description: LONG_DESCRIPTION });
  await createRepository(server.deps.db, as(admin), { namespace: "admin", name: "secret", visibility: "private" });
  await createRepository(server.deps.db, as(admin), { namespace: "admin", name: "open", visibility: "public" });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe.each(WIDTHS)("a long user name (%s)", (width, viewport) => {
  it("keeps a 255-character user name and Sign out on screen", async () => {
    const page = await openPage(browser, viewport);
    await signIn(page, LONG_NAME, "long-password-1");
    expect(await fitsViewport(page)).toBe(true);
    expect(await withinViewport(page, 'form[action="/signout"] button')).toBe(true);
    // Shortened on screen, whole in the tooltip.
    expect(await page.getAttribute('[data-testid="signed-in-user"]', "title")).toBe(LONG_NAME);
    await screenshot(page, `long-user-${width === "desktop" ? "desktop" : "mobile"}`);
    await expectAccessible(page);
    await page.context().close();
  });
});

describe("long descriptions", () => {
  it("wrap inside the table and the page at 1280 and 390 px", async () => {
    for (const [width, viewport] of WIDTHS) {
      const page = await openPage(browser, viewport);
      await page.goto(`${server.url}/repositories`);
      expect(await fitsViewport(page), width).toBe(true);
      const table = (await page.locator('table[aria-label="Repositories"]').boundingBox())!;
      const row = page.locator('[data-testid="repo-row"]', { hasText: "/wide" });
      const cell = (await row.locator('td[data-label="Description"]').boundingBox())!;
      expect(cell.x + cell.width, width).toBeLessThanOrEqual(table.x + table.width + 0.5);
      expect(table.x + table.width, width).toBeLessThanOrEqual(viewport.width);
      // Short values keep to one line while the description wraps.
      const created = (await row.locator("time").boundingBox())!;
      expect(created.height, width).toBeLessThan(30);
      await screenshot(page, `long-description-${width === "desktop" ? "desktop" : "mobile"}`);
      await expectAccessible(page);

      await page.goto(`${server.url}/repository/${LONG_NAME}/wide`);
      expect(await fitsViewport(page), width).toBe(true);
      expect(await withinViewport(page, '[data-testid="description"]'), width).toBe(true);
      expect(await withinViewport(page, "h1"), width).toBe(true);
      await expectAccessible(page);
      await page.context().close();
    }
  });
});

describe("signing out", () => {
  it("lands on the signed-out page when another tab already signed out", async () => {
    const first = await openPage(browser, DESKTOP);
    await signIn(first, ADMIN.username, ADMIN.password);
    const second = await first.context().newPage();
    await second.goto(`${server.url}/`);
    await first.click('form[action="/signout"] button');
    await first.waitForURL(`${server.url}/`);

    const answer = second.waitForResponse((res) => new URL(res.url()).pathname === "/signout");
    await second.click('form[action="/signout"] button');
    expect((await answer).status()).toBe(303);
    await second.waitForURL(`${server.url}/`);
    expect(await second.textContent("body")).not.toContain("This form has expired");
    expect(await second.locator('[data-testid="signed-in-user"]').count()).toBe(0);
    await expectAccessible(second);
    await first.context().close();
  });
});

describe("an expired session under htmx", () => {
  it("sends the repository filter to sign-in, then back to the page", async () => {
    const page = await openPage(browser, DESKTOP);
    await signIn(page, ADMIN.username, ADMIN.password);
    await page.goto(`${server.url}/repositories`);
    await expect.poll(() => page.locator('[data-testid="repo-row"]').count()).toBe(3);
    await expireSessions();

    await page.locator('input[name="filter"]').pressSequentially("se", { delay: 30 });
    await page.waitForURL((url) => url.pathname === "/signin");
    expect(new URL(page.url()).searchParams.get("next")).toBe("/repositories");
    await expectAccessible(page);
    await page.fill("#field-username", ADMIN.username);
    await page.fill("#field-password", ADMIN.password);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${server.url}/repositories`);
    expect(await page.textContent('[data-testid="signed-in-user"]')).toBe(ADMIN.username);
    await page.context().close();
  });

  it("sends a private repository's tag filter to sign-in instead of failing silently", async () => {
    const page = await openPage(browser, MOBILE);
    await signIn(page, ADMIN.username, ADMIN.password);
    await page.goto(`${server.url}/repository/admin/secret?tab=tags`);
    await expireSessions();
    await page.locator('input[name="filter"]').pressSequentially("v1", { delay: 30 });
    await page.waitForURL((url) => url.pathname === "/signin");
    expect(new URL(page.url()).searchParams.get("next")).toBe("/repository/admin/secret?tab=tags");
    await expectAccessible(page);
    await page.context().close();
  });
});

describe.each(WIDTHS)("failed htmx requests (%s)", (width, viewport) => {
  it("show an alert on the page when the server fails or cannot be reached", async () => {
    const page = await openPage(browser, viewport);
    await page.goto(`${server.url}/repositories`);
    const filter = page.locator('input[name="filter"]');
    const alerts = page.locator('[data-testid="request-alerts"]');

    await page.route("**/repositories?filter=*", (route) => route.fulfill({ status: 500, body: "boom" }));
    await filter.pressSequentially("op", { delay: 30 });
    await expect.poll(() => alerts.textContent()).toContain("The server could not complete the request");
    expect(await alerts.getAttribute("aria-live")).toBe("polite");
    expect(await withinViewport(page, '[data-testid="request-alerts"] .pf-v6-c-alert')).toBe(true);
    await screenshot(page, `request-alert-${width === "desktop" ? "desktop" : "mobile"}`);
    await expectAccessible(page);

    // Dismissed with its close button.
    await page.click('[data-testid="request-alerts"] button[aria-label^="Close"]');
    expect(await alerts.locator(".pf-v6-c-alert").count()).toBe(0);

    await page.unroute("**/repositories?filter=*");
    await page.route("**/repositories?filter=*", (route) => route.abort("connectionrefused"));
    await filter.pressSequentially("e", { delay: 30 });
    await expect.poll(() => alerts.textContent()).toContain("Could not reach the server");
    await page.context().close();
  });
});

describe.each(WIDTHS)("sign-up (%s)", (width, viewport) => {
  /** The message shown under a field, if any. */
  const messageOf = (page: Page, field: string) => page.locator(`#field-${field}-helper`).textContent();

  async function submit(page: Page, fields: { username?: string; email?: string; password?: string }) {
    await page.goto(`${server.url}/signup`);
    for (const [name, value] of Object.entries(fields)) await page.fill(`#field-${name}`, value);
    await page.click('button[type="submit"]');
    await page.waitForLoadState();
  }

  it("explains each refusal next to its field, with focus on the first one", async () => {
    const page = await openPage(browser, viewport);

    await submit(page, { username: "", email: "someone@example.com", password: "password-1" });
    expect(await messageOf(page, "username")).toBe("Enter a username");
    expect(await focusedId(page, "field-username")).toBe("field-username");
    await expectAccessible(page);

    await submit(page, { username: "Bob", email: "bob@example.com", password: "password-1" });
    expect(await messageOf(page, "username")).toContain("lowercase");
    expect(await messageOf(page, "username")).toContain("“bob”");

    await submit(page, { username: "bob", email: ADMIN.email, password: "password-1" });
    expect(await messageOf(page, "email")).toBe("That email address is already used by another account");
    expect(await focusedId(page, "field-email")).toBe("field-email");

    await submit(page, { username: "bob", email: `${"e".repeat(10_000)}@example.com`, password: "password-1" });
    expect(await messageOf(page, "email")).toBe("Email addresses are at most 255 characters");

    await submit(page, { username: "bob", email: "bob@example.com", password: " ".repeat(8) });
    expect(await messageOf(page, "password")).toBe("Passwords cannot contain spaces");
    expect(await focusedId(page, "field-password")).toBe("field-password");
    expect(await page.locator('[data-testid="signed-in-user"]').count()).toBe(0);

    // Fields in error line up with the others at every moment of the page's entrance (each
    // animation is held at a series of points in its run while the inputs are measured).
    await submit(page, { username: "Bob", email: "bob@example.com", password: "short" });
    for (const progress of [0, 0.25, 0.5, 0.75, 1]) {
      const edges = await page.evaluate((at) => {
        for (const animation of document.getAnimations()) {
          animation.pause();
          animation.currentTime = Number(animation.effect?.getComputedTiming().endTime ?? 0) * at;
        }
        return ["username", "email", "password"].map((f) => {
          const box = document.getElementById(`field-${f}`)!.getBoundingClientRect();
          return `${box.left.toFixed(1)}..${box.right.toFixed(1)}`;
        });
      }, progress);
      expect(new Set(edges).size, `at ${progress * 100}% of the animations: ${edges.join(", ")}`).toBe(1);
    }
    expect(await fitsViewport(page)).toBe(true);
    await screenshot(page, `signup-errors-${width === "desktop" ? "desktop" : "mobile"}`);
    await expectAccessible(page);
    await page.context().close();
  });
});

describe("sign-in", () => {
  it("puts focus on the password after a wrong password", async () => {
    const page = await openPage(browser, DESKTOP);
    await page.goto(`${server.url}/signin`);
    await page.fill("#field-username", ADMIN.username);
    await page.fill("#field-password", "not-the-password");
    await page.click('button[type="submit"]');
    await page.waitForLoadState();
    expect(await page.textContent("#field-password-helper")).toContain("Invalid username or password");
    expect(await focusedId(page, "field-password")).toBe("field-password");
    expect(await page.inputValue("#field-username")).toBe(ADMIN.username);
    await expectAccessible(page);
    await page.context().close();
  });
});

describe("the icon", () => {
  it("loads a first page without a single failed request or console error", async () => {
    const page = await openPage(browser, DESKTOP);
    const failures: string[] = [];
    page.on("console", (msg) => msg.type() === "error" && failures.push(msg.text()));
    page.on("response", (res) => res.status() >= 400 && failures.push(`${res.status()} ${res.url()}`));
    await page.goto(`${server.url}/signin`);
    await page.waitForLoadState("networkidle");
    expect(failures).toEqual([]);
    const icon = await page.getAttribute('link[rel="icon"]', "href");
    expect(icon).toMatch(/^\/static\/favicon\.svg\?v=/);
    expect((await page.request.get(`${server.url}${icon}`)).headers()["content-type"]).toBe("image/svg+xml");
    await expectAccessible(page);

    const ico = await page.request.get(`${server.url}/favicon.ico`);
    expect(ico.status()).toBe(200);
    expect(ico.headers()["content-type"]).toBe("image/x-icon");
    expect((await ico.body()).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0])); // an ICO header
    await page.context().close();
  });
});
