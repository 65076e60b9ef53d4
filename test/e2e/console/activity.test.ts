/**
 * The console's audit pages in real Chromium on the whole stack, with real kubectl through
 * the gateway: Activity shows requests as they are made (and holds them while paused), a
 * non-admin sees only their own, and Audit search finds them, pages through them and
 * downloads them as JSON lines. Every page is screenshotted to test-artifacts/console/ and
 * must have logged no console error, page error or failed request.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, afterEach, before, describe, it } from "node:test";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { type Chromium, launchChromium, type Person } from "../../support/chromium.ts";
import { freshCliBundle } from "../../support/cli-bundle.ts";
import { bearer } from "../../support/login.ts";
import { STANDING_EDIT, type Stack, startStack } from "../../support/stack.ts";
import { click, disclose, download, live, row, rowIds, rows, rowText } from "./audit-browser.ts";
import { assertNoProblems, element, endTest, fill, named, signIn, textOf, until } from "./console-browser.ts";

interface AuditRecord {
  streamId: string;
  id: string;
  type: string;
  phase?: string;
  user: string;
  verb?: string;
  resource?: string;
  name?: string;
  namespace: string;
  decision?: string;
  status?: string;
}

/** Fields the details of a request's record must show (every field is; these are checked). */
const DETAIL_FIELDS = [
  "id",
  "ts",
  "user",
  "verb",
  "resource",
  "name",
  "namespace",
  "status",
  "decision",
  "grant",
];
/** dev's creates in team-a in this test file's run, end entries only. */
const DEV_CREATES = {
  user: "dev@example.com",
  verb: "create",
  phase: "end",
  namespace: "team-a",
  since: "10m",
};

describe("console audit pages in Chromium", { timeout: 240_000 }, () => {
  let stack: Stack;
  let chrome: Chromium;
  let kubectl: KubectlSandbox;
  const sessions: Record<string, string> = {};
  const kubeconfigs: Record<string, string> = {};
  const tag = randomBytes(3).toString("hex");

  before(async () => {
    freshCliBundle();
    // Developers (dev, oncall) hold view and edit in team-* standing; admin is an admin.
    stack = await startStack({ config: STANDING_EDIT });
    chrome = await launchChromium({ trust: [{ url: stack.url, caCert: stack.caCert }] });
    kubectl = await kubectlSandbox();
    for (const user of ["dev", "oncall", "admin"]) sessions[user] = await stack.login(user);
    for (const [user, namespace] of [
      ["dev", "team-a"],
      ["oncall", "team-b"],
    ] as const) {
      const { token } = await stack.credential(sessions[user]!, { role: "edit", namespace });
      kubeconfigs[user] = await stack.gatewayKubeconfig(`${user}-activity`, token, namespace);
    }
  });
  afterEach((t) => endTest(chrome, t));
  after(async () => {
    await chrome?.close();
    await kubectl?.cleanup();
    await stack?.close();
  });

  const kubectlAs = async (user: string, args: string[]) => {
    const result = await kubectl.run(kubeconfigs[user]!, args);
    assert.equal(result.code, 0, `kubectl ${args.join(" ")} as ${user}: ${result.stderr}`);
    return result;
  };
  /** The admin's view of the log: the newest records matching `query`. */
  const audit = async (query: Record<string, string>): Promise<AuditRecord[]> => {
    const res = await fetch(`${stack.url}/v1/audit?${new URLSearchParams({ order: "desc", ...query })}`, {
      headers: bearer(sessions.admin!),
    });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { items: AuditRecord[] }).items;
  };
  /** The end record of dev's request matching `query`, once it is written. */
  const endRecord = (what: string, query: Record<string, string>) =>
    until(
      `the audit record of ${what}`,
      async () => (await audit({ ...query, phase: "end", limit: "1" }))[0],
    );

  /** Opens `path` as `person`, through the IdP's sign-in, and waits for the page's heading. */
  const openAs = async (person: Person, path: string, heading: string, test: string) => {
    const w = await person.open(`${stack.url}${path}`);
    await signIn(w, { brokerUrl: stack.url, login: person.name, test });
    await element(w, named(heading, "heading"), `the ${heading} page's heading`);
    return w;
  };

  it("the admin's Activity shows dev's kubectl requests as they happen, holds them while paused, and opens one", async () => {
    const test = "activity-live";
    const admin = await chrome.person("admin");
    const w = await openAs(admin, "/ui/activity", "Activity", test);
    await live(w);
    await w.screenshot(test, "admin-activity-open");
    await w.page.evaluate(() => {
      (globalThis as unknown as { kbNoReload: boolean }).kbNoReload = true;
    });

    // dev works meanwhile: a list and a create, each shown without a reload.
    const name = `activity-${tag}`;
    await kubectlAs("dev", ["get", "configmaps"]);
    await kubectlAs("dev", ["create", "configmap", name, "--from-literal=by=activity"]);
    const listed = await endRecord("dev's list", {
      user: "dev@example.com",
      verb: "list",
      resource: "configmaps",
    });
    const create = await endRecord("dev's create", { user: "dev@example.com", verb: "create" });
    assert.equal(create.name, name);
    await rowText(
      w,
      listed.id,
      `dev's list ${listed.id} on the admin's Activity`,
      /dev@example\.com.*list.*configmaps.*team-a.*allowed 200/,
    );
    await rowText(
      w,
      create.id,
      `dev's create ${create.id} on the admin's Activity`,
      new RegExp(`create.*configmaps ${name}.*allowed 201`),
    );
    const shown = await rows(w);
    assert.ok(
      shown.findIndex((r) => r.id === create.id) < shown.findIndex((r) => r.id === listed.id),
      "the newer create is above the list",
    );
    assert.equal(shown.filter((r) => r.id === create.id).length, 1, "one row per request (start and end)");
    await w.screenshot(test, "admin-activity-dev-requests");

    // Paused: dev's next request is counted, not shown; Resume shows it.
    await click(w, "Pause");
    await kubectlAs("dev", ["get", "configmap", name]);
    const got = await endRecord("dev's get", {
      user: "dev@example.com",
      verb: "get",
      resource: "configmaps",
    });
    const held = await until("the count of new records while paused", async () => {
      const text = await textOf(await element(w, '[data-testid="held-count"]', "the held count"));
      return /^[1-9]\d* new$/.test(text) ? text : undefined;
    });
    assert.equal(
      await w.page.$(`tr[data-record-id="${got.id}"]`),
      null,
      `the get was shown while paused (${held})`,
    );
    await w.screenshot(test, "admin-activity-paused");
    await click(w, "Resume");
    await row(w, got.id, `dev's get ${got.id} after Resume`);
    assert.equal(await w.page.$('[data-testid="held-count"]'), null, "the count stays after Resume");
    await w.screenshot(test, "admin-activity-resumed");

    // Details: every field of the create; Escape closes it and the focus is back on its row.
    const createRow = await row(w, create.id, `dev's create ${create.id} on the admin's Activity`);
    await (await createRow.waitForSelector(named("Details", "button")))!.click();
    const dialog = await element(w, "dialog[open]", "the record's details dialog");
    const fields = await dialog.$$eval("dl dt", (dts) => dts.map((dt) => dt.textContent));
    for (const field of DETAIL_FIELDS) assert.ok(fields.includes(field), `the details show ${field}`);
    const details = await textOf(dialog);
    for (const value of [create.id, name, "dev@example.com", "201", "allowed", "team-a"])
      assert.ok(details.includes(value), `the details show ${value}`);
    await w.screenshot(test, "admin-activity-details");
    await w.page.keyboard.press("Escape");
    await until("the details dialog closed", async () =>
      (await w.page.$("dialog[open]")) === null ? true : undefined,
    );
    const focused = await w.page.evaluate(
      "document.activeElement?.closest('tr')?.getAttribute('data-record-id')",
    );
    assert.equal(focused, create.id, "the focus went back to the row's Details button");

    // Filters restart the stream: verb=create shows dev's next create, not the get before it.
    await disclose(w, "Filters");
    await fill(w, "Verb", "create");
    await click(w, "Apply filters");
    await until("the filter in the URL", async () =>
      new URL(w.page.url()).searchParams.get("verb") === "create" ? true : undefined,
    );
    await live(w);
    await kubectlAs("dev", ["get", "configmap", name, "-o", "name"]);
    await kubectlAs("dev", ["create", "configmap", `${name}-2`]);
    const second = await endRecord("dev's second create", { user: "dev@example.com", verb: "create" });
    await row(w, second.id, `dev's second create ${second.id} under the verb filter`, 15_000);
    const filtered = await rows(w);
    assert.ok(filtered.length > 0);
    for (const r of filtered) assert.match(r.text, /create/, `a row not of verb create: ${r.text}`);
    await w.screenshot(test, "admin-activity-filtered");

    assert.equal(
      await w.page.evaluate(() => (globalThis as unknown as { kbNoReload?: boolean }).kbNoReload),
      true,
      "the Activity page was reloaded",
    );
    assertNoProblems(admin.pages, stack.url);
  });

  it("a non-admin's Activity shows only their own records", async () => {
    const test = "activity-own";
    const dev = await chrome.person("dev");
    const w = await openAs(dev, "/ui/activity", "Activity", test);
    await live(w);
    await disclose(w, "Filters");
    await element(w, named("Cluster", "textbox"), "the cluster filter");
    assert.equal(await w.page.$(named("User", "textbox")), null, "a non-admin is offered a user filter");
    // Someone else's request, then dev's own: dev's appears, oncall's never does.
    await kubectlAs("oncall", ["get", "pods"]);
    const theirs = await endRecord("oncall's get pods", { user: "oncall@example.com", resource: "pods" });
    await kubectlAs("dev", ["get", "pods"]);
    const mine = await endRecord("dev's get pods", { user: "dev@example.com", resource: "pods" });
    await row(w, mine.id, `dev's own request ${mine.id} on dev's Activity`, 15_000);
    assert.equal(await w.page.$(`tr[data-record-id="${theirs.id}"]`), null, "dev sees oncall's request");
    const users = new Set((await rows(w)).map((r) => r.user));
    assert.deepEqual([...users], ["dev@example.com"]);
    await w.screenshot(test, "dev-activity");
    assertNoProblems(dev.pages, stack.url);
  });

  it("Audit search finds dev's requests, pages through them, downloads them, and shows a bad filter's error", async () => {
    const test = "audit-search";
    const names = [1, 2, 3].map((n) => `search-${tag}-${n}`);
    const team = ["--namespace", "team-a"];
    for (const name of names) await kubectlAs("dev", ["create", "configmap", name, ...team]);
    const creates = await until("dev's three creates in the log", async () => {
      const found = await audit({ user: "dev@example.com", verb: "create", phase: "end", limit: "100" });
      const ours = found.filter((r) => names.includes(r.name ?? ""));
      return ours.length === 3 ? ours : undefined;
    });

    const admin = await chrome.person("admin");
    const w = await openAs(admin, "/ui/audit", "Audit search", test);
    await element(w, "tr[data-record-id]", "the newest records before any filter");
    await w.screenshot(test, "admin-audit-open");

    // Filter by user and resource: the creates are found, newest first; the URL holds the search.
    await fill(w, "User", "dev@example.com");
    await fill(w, "Resource", "configmaps");
    await click(w, "Search");
    await until("the search in the URL", async () => {
      const params = new URL(w.page.url()).searchParams;
      return params.get("user") === "dev@example.com" && params.get("resource") === "configmaps"
        ? true
        : undefined;
    });
    for (const create of creates) await row(w, create.id, `dev's create ${create.name} in the results`);
    const found = await rows(w);
    assert.ok(
      found.every((r) => r.user === "dev@example.com" && /configmaps/.test(r.text)),
      "a row off the filter",
    );
    assert.deepEqual(
      found.filter((r) => creates.some((c) => c.id === r.id)).map((r) => r.id),
      creates.map((c) => c.id),
      "newest first",
    );
    await w.screenshot(test, "admin-audit-filtered");

    // It survives a reload.
    await w.page.reload({ waitUntil: "domcontentloaded" });
    await row(w, creates[0]!.id, "the newest create after a reload");
    assert.equal(await w.page.evaluate("document.getElementById('audit-user').value"), "dev@example.com");

    // Paging, two at a time (a linked URL; the page size offers it as a choice).
    const paged = `/ui/audit?${new URLSearchParams({ ...DEV_CREATES, limit: "2" })}`;
    await w.page.goto(`${stack.url}${paged}`, { waitUntil: "domcontentloaded" });
    await until("the first page of two", async () => ((await rowIds(w)).length === 2 ? true : undefined));
    const first = await rowIds(w);
    assert.deepEqual(first, [creates[0]!.id, creates[1]!.id]);
    await w.screenshot(test, "admin-audit-page-1");
    await click(w, "Next page");
    await until("the second page", async () => ((await rowIds(w))[0] === creates[2]!.id ? true : undefined));
    assert.ok(new URL(w.page.url()).searchParams.get("after"), "the page's cursor is in the URL");
    await w.screenshot(test, "admin-audit-page-2");
    await click(w, "Newer page");
    await until("back on the first page", async () =>
      JSON.stringify(await rowIds(w)) === JSON.stringify(first) ? true : undefined,
    );

    // The download: every record the search matches, as JSON lines.
    const file = await download(chrome, admin, () => click(w, "Download JSON lines"));
    assert.match(file.name, /^audit-.*\.jsonl$/);
    const records = file.text
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AuditRecord);
    const expected = await audit({ ...DEV_CREATES, limit: "1000" });
    assert.deepEqual(
      records.map((r) => r.streamId),
      expected.map((r) => r.streamId),
    );
    for (const create of creates)
      assert.ok(records.some((r) => r.id === create.id && r.name === create.name));
    const status = await textOf(await element(w, '[data-testid="download-status"]', "the download's status"));
    assert.equal(status, `Downloaded ${records.length} records.`);
    await w.screenshot(test, "admin-audit-downloaded");

    assertNoProblems(admin.pages, stack.url);

    // A bad filter: the API's message beside the field, the results as they were. The browser
    // logs the refused call itself (a 422 is a failed load to Chromium): that one line, no other.
    const before = await rowIds(w);
    const url = w.page.url();
    await fill(w, "Since", "banana");
    await click(w, "Search");
    const error = await element(w, "#audit-since-error", "the API's message beside Since");
    assert.match(await textOf(error), /must be a duration such as 15m or 1h/);
    assert.ok(await w.page.$('#audit-since[aria-invalid="true"]'), "Since is marked invalid");
    assert.deepEqual(await rowIds(w), before, "the results changed");
    assert.equal(w.page.url(), url, "the URL changed");
    await w.screenshot(test, "admin-audit-bad-filter");
    const problems = w.problemsOn(stack.url);
    const refused = problems.filter((p) => /status of 422 .*[?&]since=banana[&)]/.test(p));
    assert.equal(
      refused.length,
      1,
      `the refused search is not among the page's problems:\n${problems.join("\n")}`,
    );
    assert.deepEqual(
      problems.filter((p) => p !== refused[0]),
      [],
    );
  });
});
