/**
 * The console's Alerts and Reports pages in a real browser on the whole stack: alert rules fire
 * on real kubectl through the gateway and reach an admin's open Alerts page over the event
 * stream; reports show what the usage aggregates and a fresh RBAC scan of the stand-in say.
 * Every page visited is screenshotted to test-artifacts/console/ and must log no problems
 * (an API refusal the page is meant to show is the one problem allowed, named exactly).
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { type Chromium, launchChromium, type Person, type WatchedPage } from "../../support/chromium.ts";
import { freshCliBundle } from "../../support/cli-bundle.ts";
import { bearer } from "../../support/login.ts";
import { STANDING_EDIT, type Stack, startStack } from "../../support/stack.ts";
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

interface Alert {
  id: string;
  rule: string;
  record: { user: string };
}

const SECRET_RULE = "console-secret-read";
const PODS_RULE = "console-pods-listed";

describe("web console: alerts and reports", { timeout: 240_000 }, () => {
  let stack: Stack;
  let chrome: Chromium;
  let kubectl: KubectlSandbox;
  const sessions: Record<string, string> = {};

  before(async () => {
    // Rebuilds dist/ (the console included) when a source file is newer.
    freshCliBundle();
    stack = await startStack({
      config: () => ({
        // developers (dev, oncall) hold view and edit in team-* standing.
        ...STANDING_EDIT(),
        alerts: {
          // Only the rules below fire, so each alert the test waits for is the one it caused.
          defaults: { "new-source-ip": { enabled: false }, "secret-read": { enabled: false } },
          rules: [
            {
              name: SECRET_RULE,
              severity: "warning",
              description: "Someone read the Secrets of team-a",
              match: { resource: "secrets", namespace: "team-a", decision: "allowed" },
              action: "revoke-grant",
              dryRun: true,
            },
            {
              name: PODS_RULE,
              severity: "info",
              description: "Someone listed the pods of team-b",
              match: { resource: "pods", verb: "list", namespace: "team-b" },
            },
          ],
        },
      }),
    });
    // A person bound directly, not through the broker: the RBAC report's drift finding.
    stack.standIn.store.create({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "bob-edit", namespace: "team-a" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "bob@example.com" }],
    } as never);
    chrome = await launchChromium({ trust: [{ url: stack.url, caCert: stack.caCert }] });
    kubectl = await kubectlSandbox();
    for (const user of ["dev", "oncall", "admin"]) sessions[user] = await stack.login(user);
  });
  afterEach((t) => endTest(chrome, t));
  after(async () => {
    await chrome?.close();
    await kubectl?.cleanup();
    await stack?.close();
  });

  const api = async <T>(user: string, path: string): Promise<T> => {
    const res = await fetch(`${stack.url}/v1${path}`, { headers: bearer(sessions[user]!) });
    assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
    return (await res.json()) as T;
  };
  /** kubectl as `user` through the gateway with their standing `role` in `namespace`. */
  const kubectlAs = async (user: string, role: string, namespace: string, args: string[]) => {
    const { token } = await stack.credential(sessions[user]!, { role, namespace });
    const kubeconfig = await stack.gatewayKubeconfig(`${user}-${role}-${namespace}`, token, namespace);
    const result = await kubectl.run(kubeconfig, args);
    assert.equal(result.code, 0, result.stderr);
  };
  const firedAlert = (rule: string, user: string) =>
    until(`an alert of ${rule} about ${user} in the API`, async () =>
      (await api<{ items: Alert[] }>("admin", `/alerts?rule=${rule}`)).items.find(
        (a) => a.record.user === `${user}@example.com`,
      ),
    );
  const signedIn = (person: Person, path: string, test: string) => signedInAs(person, stack.url, path, test);
  const pathOf = (w: WatchedPage) => {
    const url = new URL(w.page.url());
    return url.pathname + url.search;
  };
  const mainText = async (w: WatchedPage) => textOf((await w.page.$("main"))!);
  /** At 390 px wide, the page does not scroll sideways (wide tables scroll in their frame). */
  const fitsPhone = async (w: WatchedPage, test: string, label: string) => {
    await w.page.setViewport({ width: 390, height: 844 });
    const width = await w.page.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } })
        .document;
      return root.documentElement.scrollWidth;
    });
    assert.ok(width <= 390, `${label} is ${width} px wide at 390 px`);
    await w.screenshot(test, `${label}-390px`);
    await w.page.setViewport({ width: 1280, height: 900 });
  };
  /**
   * The page's problems but the one refusal it was meant to show: Chromium logs a failed
   * fetch as a console error, even when the page handles it.
   */
  const problemsBut = (w: WatchedPage, status: number, path: string) =>
    w
      .problemsOn(stack.url)
      .filter((p) => !(p.includes(`status of ${status}`) && p.includes(`${stack.url}${path}`)));

  it("an alert fired by dev's kubectl appears on the admin's open Alerts page, live, and opens to its detail", async () => {
    const test = "alerts-live";
    const admin = await chrome.person("admin");
    const adminPage = await signedIn(admin, "/ui/alerts", test);
    await element(adminPage, named("Alerts", "heading"), "the Alerts heading");
    await element(adminPage, '[data-stream="live"]', "the Alerts page following the stream");
    await adminPage.screenshot(test, "admin-alerts-before");
    // A reload would lose this: it proves the alerts arrive without one.
    await adminPage.page.evaluate(() => {
      (globalThis as unknown as { kbNoReload: boolean }).kbNoReload = true;
    });

    // dev reads team-a's Secrets with real kubectl; oncall lists team-b's pods.
    await kubectlAs("dev", "edit", "team-a", ["get", "secrets"]);
    const devAlert = await firedAlert(SECRET_RULE, "dev");
    await kubectlAs("oncall", "view", "team-b", ["get", "pods"]);
    const oncallAlert = await firedAlert(PODS_RULE, "oncall");

    const row = await element(
      adminPage,
      `[data-alert-id="${devAlert.id}"]`,
      `dev's alert ${devAlert.id} on the admin's page without a reload`,
      15_000,
    );
    await element(
      adminPage,
      `[data-alert-id="${oncallAlert.id}"]`,
      `oncall's alert ${oncallAlert.id}`,
      15_000,
    );
    assert.equal(
      await adminPage.page.evaluate(() => (globalThis as unknown as { kbNoReload?: boolean }).kbNoReload),
      true,
      "the admin's page was reloaded",
    );
    const rowText = await textOf(row);
    for (const text of [SECRET_RULE, "warning", "dev@example.com", "test/team-a", "secrets"]) {
      assert.ok(rowText.includes(text), `dev's alert row says ${text}: ${rowText}`);
    }
    // Newest first: oncall's, fired after dev's, is above it.
    const order = await adminPage.page.$$eval("[data-alert-id]", (rows) =>
      rows.map((r) => (r as unknown as { dataset: { alertId: string } }).dataset.alertId),
    );
    assert.ok(order.indexOf(oncallAlert.id) < order.indexOf(devAlert.id), `order: ${order.join(", ")}`);
    await adminPage.screenshot(test, "admin-alerts-arrived");
    await fitsPhone(adminPage, test, "admin-alerts");

    // A filter goes in the URL and narrows the list: warning or higher leaves oncall's info alert out.
    await fill(adminPage, "Severity", "warning");
    await (await element(adminPage, named("Apply filters", "button"), "Apply filters")).click();
    await until(
      "severity=warning in the URL",
      async () => pathOf(adminPage) === "/ui/alerts?severity=warning",
    );
    await element(adminPage, `[data-alert-id="${devAlert.id}"]`, "dev's warning alert, filtered");
    await until("oncall's info alert filtered out", async () =>
      (await adminPage.page.$(`[data-alert-id="${oncallAlert.id}"]`)) === null ? true : undefined,
    );
    await adminPage.screenshot(test, "admin-alerts-filtered");

    // Through to the detail page.
    await (await element(adminPage, `[data-alert-id="${devAlert.id}"] a`, "the link of dev's alert")).click();
    await until(`/ui/alerts/${devAlert.id}`, async () => pathOf(adminPage) === `/ui/alerts/${devAlert.id}`);
    await element(adminPage, named(`Alert ${devAlert.id}`, "heading"), "the alert's heading");
    const outcome = await element(adminPage, '[data-testid="action-outcome"]', "the action's outcome");
    await until("the dry run's outcome", async () => /would revoke grant/.test(await textOf(outcome)));
    const detail = await mainText(adminPage);
    for (const text of [
      SECRET_RULE,
      "warning",
      "Someone read the Secrets of team-a",
      "dev@example.com",
      "revoke-grant",
      "dry run",
      "allowed",
    ]) {
      assert.ok(detail.includes(text), `the detail page says ${text}`);
    }
    const command = await element(adminPage, ".command code", "the kubectl command");
    assert.match(await textOf(command), /^kubectl get/);
    await element(adminPage, named("See it in the audit trail", "link"), "the link to the audit trail");
    await adminPage.screenshot(test, "admin-alert-detail");
    await fitsPhone(adminPage, test, "admin-alert-detail");
    assertNoProblems(admin.pages, stack.url);

    // dev sees the alert about themselves, not oncall's, and may not filter by user.
    const dev = await chrome.person("dev");
    const devPage = await signedIn(dev, "/ui/alerts", test);
    await element(devPage, `[data-alert-id="${devAlert.id}"]`, "dev's own alert on dev's page");
    assert.equal(
      await devPage.page.$(`[data-alert-id="${oncallAlert.id}"]`),
      null,
      "dev sees oncall's alert",
    );
    assert.equal(await devPage.page.$(named("User", "textbox")), null, "dev is offered the user filter");
    await devPage.screenshot(test, "dev-alerts");

    // oncall's alert by its address: the API's 404, in its own words.
    const other = await dev.open(`${stack.url}/ui/alerts/${oncallAlert.id}`);
    const refusal = await element(other, '[role="alert"]', "the refusal of oncall's alert");
    assert.match(await textOf(refusal), new RegExp(`no alert ${oncallAlert.id}: .*not yours to see`));
    await other.screenshot(test, "dev-other-alert-refused");
    assertNoProblems([devPage], stack.url);
    assert.deepEqual(problemsBut(other, 404, `/v1/alerts/${oncallAlert.id}`), []);
  });

  it("reports: the admin sees usage, the RBAC scan and the review; dev is offered only their own reports", async () => {
    const test = "reports";
    await kubectlAs("dev", "view", "team-a", ["get", "configmaps"]);
    await kubectlAs("oncall", "view", "team-b", ["get", "configmaps"]);
    for (const user of ["dev", "oncall"]) {
      await until(`${user}'s configmaps in the usage aggregates`, async () =>
        (
          await api<{ items: { resource: string }[] }>(
            "admin",
            `/reports/usage?user=${user}@example.com&since=1h`,
          )
        ).items.some((i) => i.resource === "configmaps"),
      );
    }

    const admin = await chrome.person("admin");
    const adminPage = await signedIn(admin, "/ui/reports", test);
    await element(adminPage, '[data-report="usage"]', "the usage report, by default");
    const usage = await textOf(await element(adminPage, '[data-report="usage"] table', "the usage table"));
    for (const text of ["configmaps", "dev@example.com", "oncall@example.com", "team-a"]) {
      assert.ok(usage.includes(text), `the admin's usage report shows ${text}`);
    }
    for (const label of ["Since", "Cluster", "Role", "User", "Grant", "CI rule"]) {
      await element(adminPage, named(label), `the usage report's field "${label}"`);
    }
    await adminPage.screenshot(test, "admin-usage");
    await fitsPhone(adminPage, test, "admin-usage");

    // The parameters go in the URL.
    await fill(adminPage, "Since", "7d");
    await fill(adminPage, "User", "dev@example.com");
    await (await element(adminPage, named("Show report", "button"), "Show report")).click();
    await until("the usage report's parameters in the URL", async () =>
      pathOf(adminPage) === "/ui/reports?kind=usage&since=7d&user=dev%40example.com" ? true : undefined,
    );
    await until("dev's usage only", async () => {
      const text = await textOf((await adminPage.page.$('[data-report="usage"] table'))!);
      return text.includes("dev@example.com") && !text.includes("oncall@example.com");
    });
    await adminPage.screenshot(test, "admin-usage-dev-7d");

    // A window the API refuses: its message beside the field.
    await fill(adminPage, "Since", "-5d");
    await (await element(adminPage, named("Show report", "button"), "Show report")).click();
    const fieldError = await element(adminPage, "#report-usage-since-error", "the message beside Since");
    assert.match(await textOf(fieldError), /must be a duration such as 24h or 30d/);
    assert.equal(
      await adminPage.page.$eval("#report-usage-since", (e) => e.getAttribute("aria-invalid")),
      "true",
    );
    await adminPage.screenshot(test, "admin-usage-invalid");

    // The RBAC scan of the stand-in: bob's direct binding is a finding.
    await (await element(adminPage, `nav ${named("RBAC risks", "link")}`, "the RBAC risks report")).click();
    await element(adminPage, named("RBAC risks", "heading"), "the RBAC report's heading");
    await fill(adminPage, "Cluster", "test");
    await (await element(adminPage, named("Show report", "button"), "Show report")).click();
    const findings = await element(adminPage, '[data-report="rbac"] table', "the RBAC findings");
    assert.equal(pathOf(adminPage), "/ui/reports?kind=rbac&cluster=test");
    const findingText = await textOf(findings);
    assert.match(findingText, /direct-binding/);
    assert.match(findingText, /User bob@example\.com/);
    assert.ok((await findings.$$("tbody tr")).length >= 1);
    await adminPage.screenshot(test, "admin-rbac");

    await (await element(adminPage, `nav ${named("Access review", "link")}`, "the access review")).click();
    await element(adminPage, '[data-report="review"]', "the access review's result");
    await adminPage.screenshot(test, "admin-review");
    const adminProblems = admin.pages.flatMap((w) => problemsBut(w, 422, "/v1/reports/usage?since=-5d"));
    assert.deepEqual(adminProblems, []);

    // dev: the reports about their own access only.
    const dev = await chrome.person("dev");
    const devPage = await signedIn(dev, "/ui/reports", test);
    await element(devPage, '[data-report="usage"] table', "dev's usage report");
    const tabs = await devPage.page.$$eval('nav[aria-label="Reports"] a', (links) =>
      links.map((a) => (a as unknown as { textContent: string }).textContent),
    );
    assert.deepEqual(tabs, ["Usage", "Unused access", "Access"]);
    assert.equal(await devPage.page.$(named("User", "textbox")), null, "dev is offered the user field");
    const devUsage = await textOf((await devPage.page.$('[data-report="usage"] table'))!);
    assert.match(devUsage, /configmaps/);
    assert.doesNotMatch(devUsage, /oncall@example\.com/);
    await devPage.screenshot(test, "dev-usage");

    await (await element(devPage, `nav ${named("Access", "link")}`, "the access report")).click();
    const access = await element(devPage, '[data-report="access"] table', "dev's access report");
    const users = await access.$$eval("tbody tr td:first-child", (cells) =>
      cells.map((c) => (c as unknown as { textContent: string }).textContent),
    );
    assert.ok(users.length > 0, "dev's access report has rows");
    assert.deepEqual([...new Set(users)], ["dev@example.com"]);
    await devPage.screenshot(test, "dev-access");

    // An admin's report by its address falls back to one dev may see.
    await devPage.page.goto(`${stack.url}/ui/reports?kind=rbac&cluster=test`);
    await element(devPage, named("Usage", "heading"), "usage instead of the RBAC report");
    assert.equal(await devPage.page.$('[data-report="rbac"]'), null);
    await devPage.screenshot(test, "dev-rbac-not-offered");
    assertNoProblems(dev.pages, stack.url);
  });

  it("where the broker has no alerts API, the console hides Alerts", async () => {
    const test = "alerts-hidden";
    const admin = await chrome.person("admin");
    const w = await admin.open();
    // The stack always composes alerts; the session's feature flag is what the console obeys,
    // so this page is told what a broker without alerts would say.
    await w.page.evaluateOnNewDocument(() => {
      const g = globalThis as unknown as { fetch: typeof fetch };
      const original = g.fetch.bind(g);
      g.fetch = async (input, init) => {
        const res = await original(input, init);
        if (!String(input).endsWith("/v1/console/session") || !res.ok) return res;
        const body = (await res.json()) as { features: Record<string, boolean> };
        body.features.alerts = false;
        return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
      };
    });
    await w.page.goto(`${stack.url}/ui/alerts`, { waitUntil: "domcontentloaded" });
    await signIn(w, { brokerUrl: stack.url, login: "admin", test });
    await element(w, named("Page not found", "heading"), "no Alerts page");
    assert.equal(await w.page.$(`nav ${named("Alerts", "link")}`), null, "the nav offers Alerts");
    await element(w, `nav ${named("Reports", "link")}`, "the nav's Reports (still there)");
    await w.screenshot(test, "admin-no-alerts");
    assertNoProblems(admin.pages, stack.url);
  });
});
