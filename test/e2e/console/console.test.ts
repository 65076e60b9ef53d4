/**
 * The web console in a real browser (Debian's chromium, headless) on the whole stack: the dev
 * IdP's login page, the broker, Redis and the stand-in with the real kubectl. People are
 * isolated browser contexts. Every console page visited is screenshotted to
 * test-artifacts/console/ and must have logged no console error, page error or failed request.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, afterEach, before, describe, it } from "node:test";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { type Chromium, launchChromium, type Person, type WatchedPage } from "../../support/chromium.ts";
import { freshCliBundle } from "../../support/cli-bundle.ts";
import { callApi } from "../../support/login.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import {
  assertNoProblems,
  element,
  endTest,
  fill,
  named,
  signedIn as signedInAs,
  signIn,
  textOf,
  until,
} from "./console-browser.ts";
import { startCrossSitePage } from "./cross-site-page.ts";

interface RequestView {
  id: string;
  approvals: { by: string; at: string; comment?: string }[];
  requester: string;
  role: string;
  namespaces: string[];
  reason: string;
  state: string;
  grantId?: string;
}
/** The admin's scope toggle on Grants. */
const EVERYONE = `::-p-aria([name="Show everyone's grants"][role="checkbox"])`;

interface GrantView {
  id: string;
  state: string;
}

describe("web console in Chromium", { timeout: 240_000 }, () => {
  let stack: Stack;
  let chrome: Chromium;
  let kubectl: KubectlSandbox;
  const sessions: Record<string, string> = {};

  before(async () => {
    freshCliBundle();
    // The stack's default policies: developers may request edit in team-* (approvers: group
    // sre), developers and sre hold view in team-* standing, platform-admins are admins.
    stack = await startStack();
    chrome = await launchChromium({ trust: [{ url: stack.url, caCert: stack.caCert }] });
    kubectl = await kubectlSandbox();
    for (const user of ["dev", "approver", "oncall"]) sessions[user] = await stack.login(user);
  });
  // A failed test leaves a picture of each of its pages, for the CI artifacts; then its people go.
  afterEach((t) => endTest(chrome, t));
  after(async () => {
    await chrome?.close();
    await kubectl?.cleanup();
    await stack?.close();
  });

  const api = <T>(user: string, method: string, path: string, body?: unknown) =>
    callApi<T>(stack.url, sessions[user]!, method, path, body);
  const myRequests = async (user: string) =>
    (await api<{ items: RequestView[] }>(user, "GET", "/requests?scope=mine")).body.items;

  const signedIn = (person: Person, path: string, test: string) => signedInAs(person, stack.url, path, test);
  /** Follows the nav link `name` (client-side navigation) and waits for `path`. */
  const navigate = async (w: WatchedPage, name: string, path: string) => {
    await (await element(w, `nav ${named(name, "link")}`, `the nav link "${name}"`)).click();
    await until(`${path} after clicking "${name}" (at ${w.page.url()})`, async () =>
      new URL(w.page.url()).pathname === path ? true : undefined,
    );
  };

  it("dev requests edit, approver approves it live, dev's countdown ticks while kubectl works, dev revokes", async () => {
    const test = "request-approve-revoke";
    const dev = await chrome.person("dev");
    const approver = await chrome.person("approver");

    // dev: /ui/ → /ui/login → the IdP's form → back on My access.
    const devPage = await signedIn(dev, "/ui/", test);
    assert.equal(new URL(devPage.page.url()).pathname, "/ui/");
    await element(devPage, named("My access", "heading"), "the My access page's heading");
    await devPage.screenshot(test, "dev-my-access");

    // approver: signed in and watching Requests before the request exists.
    const approverPage = await signedIn(approver, "/ui/requests", test);
    assert.equal(new URL(approverPage.page.url()).pathname, "/ui/requests");
    await approverPage.screenshot(test, "approver-requests-empty");
    // A reload would lose this: it proves the request appears without one.
    await approverPage.page.evaluate(() => {
      (globalThis as unknown as { kbNoReload: boolean }).kbNoReload = true;
    });

    // dev asks for edit on team-a with a reason.
    const reason = `console e2e ${randomBytes(4).toString("hex")}`;
    await fill(devPage, "Cluster", "test");
    await fill(devPage, "Role", "edit");
    await fill(devPage, "Namespaces", "team-a");
    await fill(devPage, "Duration", "30m");
    await fill(devPage, "Reason", reason);
    await (await element(devPage, named("Request access", "button"), 'the "Request access" button')).click();
    const request = await until(`dev's request "${reason}" in the API`, async () =>
      (await myRequests("dev")).find((r) => r.reason === reason),
    );
    assert.deepEqual(
      { role: request.role, namespaces: request.namespaces, state: request.state },
      { role: "edit", namespaces: ["team-a"], state: "pending" },
    );
    assert.equal(await devPage.page.$('[role="alert"]'), null, "the request form shows no error");
    await devPage.screenshot(test, "dev-requested");

    // approver: the request appears without a reload; approve it.
    const row = await element(
      approverPage,
      `[data-request-id="${request.id}"]`,
      `dev's request ${request.id} on the approver's Requests page, without a reload`,
      15_000,
    );
    assert.equal(
      await approverPage.page.evaluate(() => (globalThis as unknown as { kbNoReload?: boolean }).kbNoReload),
      true,
      "the approver's page was reloaded",
    );
    assert.match(await textOf(row), new RegExp(reason));
    await approverPage.screenshot(test, "approver-request-appeared");
    await (await row.waitForSelector(named("Comment")))!.type("ok for the console test");
    await (await row.waitForSelector(named("Approve", "button")))!.click();
    const approved = await until(`request ${request.id} approved`, async () => {
      const { body } = await api<RequestView>("dev", "GET", `/requests/${request.id}`);
      return body.state === "approved" && body.grantId ? body : undefined;
    });
    assert.deepEqual(approved.approvals, [
      { by: "approver@example.com", at: approved.approvals[0]?.at, comment: "ok for the console test" },
    ]);
    const grantId = approved.grantId!;
    // Approved, it leaves "Waiting for your decision" (and is not the approver's own request).
    await until(`request ${request.id} gone from the approver's pending list`, async () =>
      (await approverPage.page.$(`[data-request-id="${request.id}"]`)) === null ? true : undefined,
    );
    await approverPage.screenshot(test, "approver-approved");

    // dev: My access shows the grant, without a reload, with a live countdown.
    await element(devPage, `[data-grant-id="${grantId}"]`, `grant ${grantId} on dev's My access`, 15_000);
    const timeLeft = await element(
      devPage,
      `[data-grant-id="${grantId}"] [data-testid="time-left"]`,
      `the countdown of grant ${grantId}`,
    );
    const first = (await textOf(timeLeft)).trim();
    assert.match(first, /^\d+m \d\ds$/, "the countdown shows minutes and seconds left of 30m");
    await new Promise((r) => setTimeout(r, 1100)); // the brief's tick: read a second apart
    const second = (await textOf(timeLeft)).trim();
    assert.notEqual(second, first, `the countdown did not tick: "${first}" a second later`);
    await devPage.screenshot(test, "dev-my-access-grant");

    // Meanwhile kubectl works with that grant.
    const { token, grant } = await stack.credential(sessions.dev!, { role: "edit", namespace: "team-a" });
    assert.equal(grant.id, grantId, "kubectl uses the approved grant");
    const kubeconfig = await stack.gatewayKubeconfig("dev-console", token, "team-a");
    const created = await kubectl.run(kubeconfig, [
      "create",
      "configmap",
      "console-e2e",
      "--from-literal=by=console",
    ]);
    assert.equal(created.code, 0, created.stderr);
    const listed = await kubectl.run(kubeconfig, ["get", "configmaps", "-o", "name"]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /configmap\/console-e2e/);

    // dev revokes it on Grants, after the confirmation.
    await navigate(devPage, "Grants", "/ui/grants");
    const listedGrant = await element(
      devPage,
      `[data-grant-id="${grantId}"]`,
      `grant ${grantId} on dev's Grants`,
    );
    await devPage.screenshot(test, "dev-grants");
    await (await listedGrant.waitForSelector(named("Revoke", "button")))!.click();
    const confirm = await element(devPage, "dialog[open]", "the revoke confirmation dialog");
    await devPage.screenshot(test, "dev-revoke-confirm");
    const unconfirmed = await api<GrantView>("dev", "GET", `/grants/${grantId}`);
    assert.equal(unconfirmed.body.state, "active", "the grant was revoked before the confirmation");
    await (await confirm.waitForSelector(named("Confirm revoke", "button")))!.click();
    await until(`grant ${grantId} ended after the revoke`, async () => {
      const { body } = await api<GrantView>("dev", "GET", `/grants/${grantId}`);
      return body.state === "ended" ? true : undefined;
    });
    await until(`grant ${grantId} gone from dev's Grants page`, async () =>
      (await devPage.page.$(`[data-grant-id="${grantId}"]`)) === null ? true : undefined,
    );
    await devPage.screenshot(test, "dev-grants-revoked");
    const refused = await kubectl.run(kubeconfig, ["get", "configmaps"]);
    assert.notEqual(refused.code, 0, "kubectl still works after the revoke");
    assert.match(refused.stderr, new RegExp(`grant ${grantId} (has ended|was revoked)`));

    assertNoProblems([...dev.pages, ...approver.pages], stack.url);
  });

  it("a POST from another origin with the console cookie is refused and creates nothing", async () => {
    const test = "csrf";
    const dev = await chrome.person("dev");
    const devPage = await signedIn(dev, "/ui/", test);
    await devPage.screenshot(test, "dev-my-access");
    const cookie = (await dev.context.cookies()).find((c) => c.name === "kb_console");
    assert.ok(cookie, "the console cookie is set");
    assert.deepEqual(
      { httpOnly: cookie.httpOnly, secure: cookie.secure, sameSite: cookie.sameSite, path: cookie.path },
      { httpOnly: true, secure: true, sameSite: "Lax", path: "/" },
    );

    const before = (await myRequests("dev")).length;
    // A text/plain form sends `name=value`: the one "=" sits inside the reason, so the body is
    // exactly this JSON, a request the API would take if nothing stopped it.
    const reason = `csrf ${randomBytes(4).toString("hex")} = INC-1`;
    const json = JSON.stringify({
      cluster: "test",
      role: "edit",
      namespace: "team-a",
      duration: "30m",
      reason,
    });
    const attacker = await startCrossSitePage({ brokerUrl: stack.url, stackDir: stack.dir, body: json });
    try {
      const evil = await dev.open(attacker.url);
      assert.notEqual(new URL(attacker.url).origin, new URL(stack.url).origin);
      await evil.screenshot(test, "attacker-page");
      // 1. The form, posted by a click: a top-level navigation carries the cookie (SameSite=Lax, same site).
      const [answer] = await Promise.all([
        evil.page.waitForNavigation(),
        evil.page.click(named("Claim", "button")),
      ]);
      assert.equal(answer?.status(), 403, `the form post was answered ${answer?.status()}`);
      assert.match(await answer!.text(), /cross-site request refused/);
      await evil.screenshot(test, "attacker-form-refused");

      // 2. A script on that page: a credentialed no-cors fetch (no preflight) with the same body.
      await evil.page.goto(attacker.url);
      const [fetched] = await Promise.all([
        evil.page.waitForResponse(
          (r) => r.url() === `${stack.url}/v1/requests` && r.request().method() === "POST",
        ),
        evil.page.evaluate(
          (url, body) =>
            fetch(url, { method: "POST", mode: "no-cors", credentials: "include", body }).then(
              () => undefined,
            ),
          `${stack.url}/v1/requests`,
          json,
        ),
      ]);
      assert.equal(fetched.status(), 403, `the cross-origin fetch was answered ${fetched.status()}`);
    } finally {
      await attacker.close();
    }
    // 3. Without an Origin (not every client sends one), the cookie alone is still not enough:
    // no token, or a wrong one, is refused.
    for (const token of [undefined, "not-the-token"]) {
      const res = await fetch(`${stack.url}/v1/requests`, {
        method: "POST",
        headers: {
          cookie: `kb_console=${cookie.value}`,
          "content-type": "application/json",
          ...(token ? { "x-csrf-token": token } : {}),
        },
        body: json,
      });
      const status = (await res.json()) as { message: string };
      assert.equal(res.status, 403, `a cookie without ${token ? "the right" : "a"} token: ${status.message}`);
      assert.match(status.message, /cross-site request refused: the X-CSRF-Token header/);
    }

    const after = await myRequests("dev");
    assert.equal(after.length, before, "a request was created");
    assert.equal(
      after.find((r) => r.reason === reason),
      undefined,
    );
    // The attacker tab is left out: its refused posts are the point.
    assertNoProblems([devPage], stack.url);
  });

  it("a non-admin sees only their own grants: no 'everyone' toggle, and scope=all is refused", async () => {
    const test = "non-admin-grants";
    // Someone else's grant (oncall holds view in team-* standing), and one of dev's.
    const theirs = (await stack.credential(sessions.oncall!, { role: "view", namespace: "team-b" })).grant;
    const mine = (await stack.credential(sessions.dev!, { role: "view", namespace: "team-b" })).grant;

    const dev = await chrome.person("dev");
    const devPage = await signedIn(dev, "/ui/grants", test);
    await element(devPage, `[data-grant-id="${mine.id}"]`, `dev's own grant ${mine.id} on Grants`);
    assert.equal(await devPage.page.$(`[data-grant-id="${theirs.id}"]`), null, "dev sees oncall's grant");
    assert.equal(await devPage.page.$(EVERYONE), null, "a non-admin is offered everyone's grants");
    assert.doesNotMatch(await textOf((await devPage.page.$("main"))!), /everyone/i);
    await devPage.screenshot(test, "dev-grants");

    // The API refuses the same to dev, by bearer and by the console's own cookie.
    const byBearer = await api<{ message: string }>("dev", "GET", "/grants?scope=all");
    assert.equal(byBearer.status, 403);
    const cookie = (await dev.context.cookies()).find((c) => c.name === "kb_console");
    const byCookie = await fetch(`${stack.url}/v1/grants?scope=all`, {
      headers: { cookie: `kb_console=${cookie!.value}` },
    });
    assert.equal(byCookie.status, 403);

    // An admin is offered the toggle (so its absence above means something) and sees oncall's grant.
    const admin = await chrome.person("admin");
    const adminPage = await signedIn(admin, "/ui/grants", test);
    await (await element(adminPage, EVERYONE, "the admin's toggle for everyone's grants")).click();
    await element(
      adminPage,
      `[data-grant-id="${theirs.id}"]`,
      `oncall's grant ${theirs.id} on the admin's Grants`,
    );
    await adminPage.screenshot(test, "admin-grants-everyone");

    assertNoProblems([...dev.pages, ...admin.pages], stack.url);
  });

  it("a deep link to a request survives login", async () => {
    const test = "deep-link";
    const { body: request } = await api<RequestView>("dev", "POST", "/requests", {
      cluster: "test",
      role: "edit",
      namespace: "team-b",
      duration: "15m",
      reason: `deep link ${randomBytes(4).toString("hex")}`,
    });
    const sre2 = await chrome.person("sre2");
    const path = `/ui/requests/${request.id}`;
    const w = await sre2.open(`${stack.url}${path}`);
    await signIn(w, { brokerUrl: stack.url, login: "sre2", test });
    await until(`${path} after signing in (at ${w.page.url()})`, async () =>
      new URL(w.page.url()).pathname === path ? true : undefined,
    );
    const shown = await element(
      w,
      `[data-request-id="${request.id}"]`,
      `request ${request.id} on its own page`,
    );
    assert.match(await textOf(shown), new RegExp(request.reason));
    await w.screenshot(test, "request-page");
    assertNoProblems(sre2.pages, stack.url);
  });
});
