// Shared set-up for browser tests: Debian's Chromium under Playwright (browsers cannot be
// downloaded here), the two widths the UI must hold at, and an accessibility check that every
// browser test runs on each page it visits.
import AxeBuilder from "@axe-core/playwright";
import { type Browser, chromium, type Page } from "playwright";
import { expect } from "vitest";

export const CHROMIUM = "/usr/bin/chromium";
export const DESKTOP = { width: 1280, height: 800 };
export const MOBILE = { width: 390, height: 844 };

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A page in a context of its own (the accessibility check needs one made by newContext). */
export async function openPage(browser: Browser, viewport: { width: number; height: number } = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ viewport });
  return context.newPage();
}

/**
 * Fails the test on any axe-core violation (WCAG 2.1 A and AA rules) on the current page, once
 * it has settled: after a form answered at its own address the new page (styles too) has
 * loaded, and messages have finished fading in (else axe measures half-transparent text).
 * Endless animations (spinners) are not waited for.
 */
export async function expectAccessible(page: Page): Promise<void> {
  await page.waitForLoadState("load");
  await page.waitForFunction(() =>
    document.getAnimations().every((a) => a.playState !== "running" || a.effect?.getTiming().iterations === Infinity),
  );
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const violations = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(" ")).join("\n  ")}`,
  );
  expect(violations, `accessibility violations on ${page.url()}`).toEqual([]);
}

/** True when nothing on the page sticks out past the viewport's right edge. */
export function fitsViewport(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

/** Signs in through the sign-in form and waits until it has moved on. */
export async function signIn(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/signin`);
  await page.fill("#field-username", username);
  await page.fill("#field-password", password);
  await page.click('button[type="submit"]');
  await page.waitForURL((url) => url.pathname !== "/signin");
}

/** The trimmed text of the element with this `data-testid` ("" when it has none). */
export async function textOf(page: Page, testid: string): Promise<string> {
  return ((await page.textContent(`[data-testid="${testid}"]`)) ?? "").trim();
}

/**
 * The focused element's id, once focus has had the chance to settle on `expected`: a page's
 * autofocus runs at its next rendering step, which on a loaded machine can come after the
 * element itself is there to read.
 */
export async function focusedId(page: Page, expected: string): Promise<string | undefined> {
  await page.waitForFunction((id) => document.activeElement?.id === id, expected, { timeout: 5_000 }).catch(() => {});
  return page.evaluate(() => document.activeElement?.id);
}

/** Clicks what leads to a new page (a link, a form's button) and waits until that page has loaded. */
export async function navigate(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForEvent("load"), page.click(selector)]);
}

/** The page passes axe and fits the viewport's width (the check each step of the narrow-screen tests makes). */
export async function expectAccessibleAndFitting(page: Page): Promise<void> {
  await expectAccessible(page);
  expect(await fitsViewport(page)).toBe(true);
}
