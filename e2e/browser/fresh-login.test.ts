// Fresh login in Chromium: from a session that signed in over ten minutes ago, changing the
// e-mail first asks for the password (a wrong one refused at its field), then saves the change.
// Every page visited passes the accessibility check.
import type { Browser } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE } from "../../server/auth/sessions.ts";
import { createUser, findUserByName } from "../../server/domain/accounts/users.ts";
import { ageSession } from "../support/api-client.ts";
import { type TestServer, testServer } from "../support/test-app.ts";
import { DESKTOP, focusedId, launchChromium, openPage, signIn, expectAccessible } from "./browser.ts";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await testServer();
  await createUser(server.deps.db, { username: "erin", password: "erin-password", email: "erin@example.test" }, { principal: { kind: "anonymous" } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("fresh login", () => {
  it("asks a session signed in long ago for its password before changing the e-mail", async () => {
    const page = await openPage(browser, DESKTOP);
    await signIn(page, server.url, "erin", "erin-password");
    const cookie = (await page.context().cookies()).find((c) => c.name === SESSION_COOKIE)!;
    await ageSession(server, cookie.value);

    await page.goto(`${server.url}/settings`);
    await page.fill("#field-email", "erin@new.example");
    await page.click('form[action="/settings/email"] button[type="submit"]');
    await page.waitForSelector('[data-testid="confirm-password"]');
    expect(await page.textContent("h1")).toBe("Confirm your password");
    expect(await focusedId(page, "field-fresh_password")).toBe("field-fresh_password");
    await expectAccessible(page);

    await page.fill("#field-fresh_password", "wrong-password");
    await page.click('[data-testid="confirm-password"] button[type="submit"]');
    await page.waitForSelector("#field-fresh_password-helper");
    expect(await page.textContent("#field-fresh_password-helper")).toContain("The password is not right");
    expect((await findUserByName(server.deps.db, "erin"))!.email).toBe("erin@example.test");
    await expectAccessible(page);

    await page.fill("#field-fresh_password", "erin-password");
    await page.click('[data-testid="confirm-password"] button[type="submit"]');
    await page.waitForURL(`${server.url}/settings?saved=email`);
    expect((await findUserByName(server.deps.db, "erin"))!.email).toBe("erin@new.example");
    await expectAccessible(page);
    await page.context().close();
  });
});
