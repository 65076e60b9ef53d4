/**
 * Every console page at a desktop width (1280 px) and a phone's (390 px), in real Chromium:
 * nothing wider than the screen (no sideways scrolling of the page; a wide table scrolls in
 * its own box), every control named for a screen reader, and the navigation reachable by
 * keyboard alone. Screenshots of each page at both widths go to test-artifacts/console/
 * (docs/console/ holds a chosen few for the README).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Chromium, launchChromium, type WatchedPage } from "../../support/chromium.ts";
import { freshCliBundle } from "../../support/cli-bundle.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { assertNoProblems, element, named, signIn } from "./console-browser.ts";

const PAGES = [
  { path: "/ui/", heading: "My access" },
  { path: "/ui/requests", heading: "Requests" },
  { path: "/ui/grants", heading: "Grants" },
  { path: "/ui/activity", heading: "Activity" },
  { path: "/ui/audit", heading: "Audit search" },
  { path: "/ui/sessions", heading: "Sessions" },
  { path: "/ui/reports", heading: "Reports" },
  { path: "/ui/alerts", heading: "Alerts" },
];
const WIDTHS = [1280, 390];

// What the functions run in the page use of the browser's globals (this program has no DOM types).
interface PageElement {
  tagName: string;
  textContent: string | null;
  outerHTML: string;
  offsetParent: unknown;
  type?: string;
  labels?: { length: number } | null;
  getAttribute(name: string): string | null;
}
declare const document: {
  documentElement: { scrollWidth: number };
  activeElement: PageElement | null;
  getElementById(id: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
};
declare const window: { innerWidth: number };

describe("console layout and keyboard use", { timeout: 180_000 }, () => {
  let stack: Stack;
  let chrome: Chromium;
  let page: WatchedPage;

  before(async () => {
    freshCliBundle();
    stack = await startStack();
    chrome = await launchChromium({ trust: [{ url: stack.url, caCert: stack.caCert }] });
    // Something on the pages: the approver's grant (My access, Grants) and dev's request
    // waiting for the approver's decision (Requests).
    const dev = await stack.login("dev");
    await stack.credential(await stack.login("approver"), { role: "view", namespace: "team-a" });
    const asked = await fetch(`${stack.url}/v1/requests`, {
      method: "POST",
      headers: { authorization: `Bearer ${dev}`, "content-type": "application/json" },
      body: JSON.stringify({
        cluster: "test",
        role: "edit",
        namespace: "team-a",
        duration: "1h",
        reason: "a reason long enough to wrap on a narrow screen, INC-4711",
      }),
    });
    assert.equal(asked.status, 201, await asked.text());
    const approver = await chrome.person("approver");
    page = await approver.open(`${stack.url}/ui/`);
    await signIn(page, { brokerUrl: stack.url, login: "approver", test: "layout" });
  });
  after(async () => {
    await chrome?.close();
    await stack?.close();
  });

  for (const width of WIDTHS) {
    it(`at ${width} px every page fits the screen and names every control`, async () => {
      await page.page.setViewport({ width, height: width > 500 ? 900 : 844 });
      for (const { path, heading } of PAGES) {
        await page.page.goto(`${stack.url}${path}`, { waitUntil: "domcontentloaded" });
        await element(page, named(heading, "heading"), `the ${heading} page's heading at ${width} px`);
        // Let the page's first data arrive before measuring it.
        await page.page.waitForNetworkIdle({ idleTime: 300, timeout: 5000 }).catch(() => {});
        await page.screenshot("layout", `${heading}-${width}`);

        const overflow = await page.page.evaluate(() => {
          const doc = document.documentElement;
          return { scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth };
        });
        assert.ok(
          overflow.scrollWidth <= overflow.innerWidth,
          `${path} at ${width} px is ${overflow.scrollWidth} px wide: the page scrolls sideways`,
        );
        assert.deepEqual(await unnamedControls(page), [], `${path} has controls without a name`);
      }
      assertNoProblems([page], stack.url);
    });
  }

  it("the keyboard reaches the skip link first, then every entry of the navigation", async () => {
    await page.page.setViewport({ width: 1280, height: 900 });
    await page.page.goto(`${stack.url}/ui/`, { waitUntil: "domcontentloaded" });
    await element(page, named("My access", "heading"), "the My access heading");
    const focused = () => page.page.evaluate(() => document.activeElement?.textContent?.trim() ?? "");
    await page.page.keyboard.press("Tab");
    assert.equal(await focused(), "Skip to content");
    const reached: string[] = [];
    for (let i = 0; i < PAGES.length + 1; i++) {
      await page.page.keyboard.press("Tab");
      reached.push(await focused());
    }
    for (const { heading } of PAGES) {
      assert.ok(reached.includes(heading), `Tab never reached "${heading}" (reached ${reached.join(", ")})`);
    }
    // Enter on a nav link changes page and moves the focus to its heading.
    while ((await focused()) !== "Grants") {
      await page.page.keyboard.down("Shift");
      await page.page.keyboard.press("Tab");
      await page.page.keyboard.up("Shift");
    }
    await page.page.keyboard.press("Enter");
    await element(page, named("Grants", "heading"), "the Grants heading after Enter");
    assert.equal(await page.page.evaluate(() => document.activeElement?.tagName), "H1");
    assertNoProblems([page], stack.url);
  });
});

/** Visible form controls and buttons that a screen reader would announce without a name. */
function unnamedControls(w: WatchedPage): Promise<string[]> {
  return w.page.evaluate(() => {
    const named = (el: PageElement): boolean => {
      if (el.getAttribute("aria-label")?.trim()) return true;
      const by = el.getAttribute("aria-labelledby");
      if (by?.split(/\s+/).some((id) => document.getElementById(id)?.textContent?.trim())) return true;
      if (el.labels?.length) return true;
      if (el.tagName === "BUTTON" || el.tagName === "A") return !!el.textContent?.trim();
      return !!el.getAttribute("title")?.trim();
    };
    return [...document.querySelectorAll("main input, main select, main textarea, main button, nav a")]
      .filter((el) => el.offsetParent !== null && el.type !== "hidden")
      .filter((el) => !named(el))
      .map((el) => el.outerHTML.slice(0, 120));
  });
}
