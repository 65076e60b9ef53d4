/**
 * What the console's browser tests do with a page: wait for a condition (with a message that
 * says what was not seen), sign in through the dev IdP's login form, find controls by their
 * accessible names, and assert that a person's console pages logged no errors.
 */
import assert from "node:assert/strict";
import type { ElementHandle } from "puppeteer-core";
import type { Chromium, Person, WatchedPage } from "../../support/chromium.ts";

/** Polls `probe` until it yields something other than undefined/false; throws with `what` if it never does. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false | null>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false && value !== null) return value;
    } catch (err) {
      // A navigation destroys the page's execution context mid-probe: try again.
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`not seen within ${timeoutMs} ms: ${what}${last ? ` (last error: ${last})` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The first element matching `selector` (CSS or puppeteer's ::-p-aria/::-p-text), once it is there. */
export async function element(
  w: WatchedPage,
  selector: string,
  what: string,
  timeoutMs = 10_000,
): Promise<ElementHandle> {
  try {
    const found = await w.page.waitForSelector(selector, { timeout: timeoutMs, visible: true });
    if (found) return found as ElementHandle;
  } catch {
    // rethrown below with what the test was looking for
  }
  throw new Error(`not seen within ${timeoutMs} ms: ${what} (${selector}) on ${w.page.url()}`);
}

/** A selector for the element with accessible `name` (and `role`, when given). */
export function named(name: string, role?: string): string {
  const quoted = JSON.stringify(name);
  return role ? `::-p-aria([name=${quoted}][role="${role}"])` : `::-p-aria(${quoted})`;
}

export async function textOf(handle: ElementHandle): Promise<string> {
  return handle.evaluate((node) => (node as unknown as { textContent: string | null }).textContent ?? "");
}

/** Sets a form control found by its label: picks an option of a select, types into anything else. */
export async function fill(w: WatchedPage, label: string, value: string): Promise<void> {
  const control = await element(w, named(label), `a control labelled "${label}"`);
  const tag = await control.evaluate((node) =>
    (node as unknown as { tagName: string }).tagName.toLowerCase(),
  );
  if (tag === "select") {
    const picked = await control.select(value);
    assert.deepEqual(picked, [value], `"${label}" offers no option "${value}"`);
    return;
  }
  await control.click({ count: 3 });
  await control.evaluate((node) => {
    (node as unknown as { value: string }).value = "";
  });
  await control.type(value);
}

/**
 * Goes through the dev IdP (oidc-provider's devInteractions): the sign-in form, then the
 * consent form when it is asked, until the browser is back on the console (not /ui/login).
 * Screenshots the sign-in form as `<test>-<label>-idp-sign-in`.
 */
export async function signIn(
  w: WatchedPage,
  options: { brokerUrl: string; login: string; test: string },
): Promise<void> {
  const { page } = w;
  const loginField = await element(w, 'input[name="login"]', `the IdP's sign-in form for ${options.login}`);
  assert.ok(!page.url().startsWith(options.brokerUrl), `the sign-in form is the IdP's, not at ${page.url()}`);
  await w.screenshot(options.test, `${options.login}-idp-sign-in`);
  await loginField.type(options.login);
  await page.type('input[name="password"]', "any-password");
  await Promise.all([page.waitForNavigation(), page.click(named("Sign-in", "button"))]);
  const home = `${options.brokerUrl}/ui/`;
  await until(
    `${options.login} back on the console after signing in (at ${page.url()})`,
    async () => {
      const url = page.url();
      if (url.startsWith(home) && !url.startsWith(`${options.brokerUrl}/ui/login`)) return true;
      const consent = await page.$('form input[name="prompt"][value="consent"]');
      if (consent) await Promise.all([page.waitForNavigation(), page.click(named("Continue", "button"))]);
      return false;
    },
    15_000,
  );
}

/** Asserts that none of `pages` logged a console or page error or a failed request while on `origin`. */
export function assertNoProblems(pages: WatchedPage[], origin: string): void {
  const problems = pages.flatMap((w) => w.problemsOn(origin));
  assert.deepEqual(problems, [], `console pages had errors:\n${problems.join("\n")}`);
}

/**
 * Opens `path` in a new tab of `person`, signs in through the IdP and waits for the console
 * to say who is signed in (as `<person>@example.com`, the dev IdP's address for a login).
 */
export async function signedIn(
  person: Person,
  brokerUrl: string,
  path: string,
  test: string,
): Promise<WatchedPage> {
  const w = await person.open(`${brokerUrl}${path}`);
  await signIn(w, { brokerUrl, login: person.name, test });
  const whoami = await element(w, '[data-testid="whoami"]', `the signed-in name of ${person.name}`);
  assert.match(await textOf(whoami), new RegExp(`${person.name}@example\\.com`));
  return w;
}

/**
 * A test's end (afterEach): when it failed, a picture of each page its people still have open,
 * for the CI artifacts; then every person goes, so the next test starts with no one signed in.
 */
export async function endTest(chrome: Chromium | undefined, t: { name: string }): Promise<void> {
  if (!chrome) return;
  if ((t as { passed?: boolean }).passed === false) {
    const open = chrome.people.flatMap((p) => p.pages.map((w, i) => ({ w, label: `failed-${p.name}-${i}` })));
    const live = open.filter(({ w }) => !w.page.isClosed());
    await Promise.allSettled(live.map(({ w, label }) => w.screenshot(t.name, label)));
  }
  await chrome.closePeople();
}
