/**
 * The console's session recordings in real Chromium on the whole stack: dev runs a real
 * recorded `kubectl exec` through the gateway, then finds it on Sessions, plays it in the
 * browser (asciinema-player, loaded on demand, under the console's CSP) from the keyboard,
 * downloads its .cast, and reaches it from the Activity page's record; the text typed in it
 * finds it; oncall gets the API's 404 for it. Every page is screenshotted to
 * test-artifacts/console/ and must have logged no console error, page error (a CSP violation
 * is one) or failed request.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { type Chromium, launchChromium, type Person, type WatchedPage } from "../../support/chromium.ts";
import { freshCliBundle } from "../../support/cli-bundle.ts";
import { bearer } from "../../support/login.ts";
import { STANDING_EDIT, type Stack, startStack } from "../../support/stack.ts";
import { download, row } from "./audit-browser.ts";
import { assertNoProblems, element, endTest, fill, named, signIn, textOf, until } from "./console-browser.ts";

const TYPED = "echo played-in-browser";
const SHOWN = "played-in-browser";

// What the functions run in the page use of its elements (this program has no DOM types).
interface PageElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
}

interface Recording {
  id: string;
  pod: string;
  state: string;
}

describe("console session recordings in Chromium", { timeout: 240_000 }, () => {
  let stack: Stack;
  let chrome: Chromium;
  let kubectl: KubectlSandbox;
  let recording: Recording;

  before(async () => {
    freshCliBundle();
    // Developers (dev, oncall) hold edit in team-* standing, so they may exec.
    stack = await startStack({ config: STANDING_EDIT });
    chrome = await launchChromium({ trust: [{ url: stack.url, caCert: stack.caCert }] });
    kubectl = await kubectlSandbox();
    const dev = await stack.login("dev");
    const { token } = await stack.credential(dev, { role: "edit", namespace: "team-a" });
    const kubeconfig = await stack.gatewayKubeconfig("dev-sessions", token, "team-a");
    const since = new Date(Date.now() - 1000).toISOString();
    const shell = await kubectl.run(kubeconfig, ["exec", "-i", "web-1", "--", "sh"], {
      input: `${TYPED}\nexit\n`,
    });
    assert.equal(shell.code, 0, `kubectl exec: ${shell.stderr}`);
    assert.match(shell.stdout, new RegExp(SHOWN));
    recording = await until("dev's recording, ended", async () => {
      const res = await fetch(`${stack.url}/v1/recordings?since=${since}`, { headers: bearer(dev) });
      const { items } = (await res.json()) as { items: Recording[] };
      return items.find((r) => r.pod === "web-1" && r.state === "ended");
    });
  });
  afterEach((t) => endTest(chrome, t));
  after(async () => {
    await chrome?.close();
    await kubectl?.cleanup();
    await stack?.close();
  });

  /** Opens `path` as `person`, through the IdP's sign-in, and waits for the page's heading. */
  const openAs = async (person: Person, path: string, heading: string, test: string) => {
    const w = await person.open(`${stack.url}${path}`);
    await signIn(w, { brokerUrl: stack.url, login: person.name, test });
    await element(w, named(heading, "heading"), `the ${heading} page's heading`);
    return w;
  };
  const terminalText = (w: WatchedPage) =>
    w.page.$eval('[data-testid="session-player"] .ap-term', (term) => term.textContent ?? "");
  /**
   * The session page's player, played from the keyboard: Tab from the last link before it
   * reaches its Play button, and Space plays; until its terminal shows what was typed.
   */
  const playByKeyboard = async (w: WatchedPage) => {
    await element(w, `[data-testid="session-player"] ${named("Play", "button")}`, "the player's Play");
    const grant = await element(w, ".session-detail dl a", "the grant's link, the last before the player");
    await grant.focus();
    const focused = () =>
      w.page.evaluate(() => {
        const { document } = globalThis as unknown as { document: { activeElement: PageElement | null } };
        const active = document.activeElement;
        return active?.getAttribute("aria-label") ?? active?.textContent ?? "";
      });
    const reached: string[] = [];
    while (reached.length < 5 && reached.at(-1) !== "Play") {
      await w.page.keyboard.press("Tab");
      reached.push(await focused());
    }
    assert.equal(
      reached.at(-1),
      "Play",
      `Tab did not reach the player's Play (reached ${reached.join(", ")})`,
    );
    await w.page.keyboard.press("Space");
    await until(`the played terminal showing "${SHOWN}"`, async () =>
      (await terminalText(w)).includes(SHOWN),
    );
    // The console's own rules (border-box, a button's minimum height) must not push the terminal
    // out of the player's frame: its first line shows whole.
    const [frame, line] = await w.page.$$eval(
      '[data-testid="session-player"], [data-testid="session-player"] .ap-line',
      (els) => els.slice(0, 2).map((el) => el.getBoundingClientRect().top),
    );
    assert.ok(
      line! >= frame!,
      `the terminal's first line (top ${line}) is above the player's frame (${frame})`,
    );
  };

  it("dev finds the session, plays it, downloads its .cast, and Activity links to it", async () => {
    const test = "sessions-play";
    const dev = await chrome.person("dev");
    const w = await openAs(dev, "/ui/sessions", "Sessions", test);
    const listed = await element(w, `tr[data-session-id="${recording.id}"]`, "dev's session on Sessions");
    assert.match(await textOf(listed), /dev@example\.com.*test\/team-a\/web-1.*sh/);
    await w.screenshot(test, "dev-sessions");

    await (
      await element(w, `tr[data-session-id="${recording.id}"] ${named("Play", "link")}`, "its Play")
    ).click();
    await element(w, named(`Session ${recording.id}`, "heading"), "the session's page");
    assert.equal(new URL(w.page.url()).pathname, `/ui/sessions/${recording.id}`);
    await element(w, '[data-testid="session-player"] .ap-term', "the player's terminal");
    await playByKeyboard(w);
    await w.screenshot(test, "dev-session-played");

    const saved = await download(chrome, dev, async () => {
      await (await element(w, named("Download .cast", "link"), "the .cast download")).click();
    });
    assert.equal(saved.name, `${recording.id}.cast`);
    assert.match(saved.text.split("\n")[0]!, /"version":\s*2/);
    assert.ok(saved.text.includes(SHOWN), "the .cast holds the session's output");

    // Activity: the exec's record links to the same page, from its row and from its details.
    await (await element(w, named("Activity", "link"), "the Activity entry")).click();
    const record = await row(w, recording.id, "the exec's record on Activity");
    assert.ok(await record.$(named("Play recording", "link")), "the exec's row has no Play recording link");
    await (
      await element(w, `tr[data-record-id="${recording.id}"] ${named("Details", "button")}`, "Details")
    ).click();
    const dialog = await element(w, "dialog[open]", "the record's details");
    await w.screenshot(test, "dev-activity-details");
    await (
      await element(w, `dialog[open] ${named("Play recording", "link")}`, "Play recording in the details")
    ).click();
    await element(w, named(`Session ${recording.id}`, "heading"), "the session's page, from Activity");
    assert.equal(await dialog.evaluate((d) => d.isConnected), false, "the details dialog stayed open");
    await playByKeyboard(w);
    assertNoProblems(dev.pages, stack.url);
  });

  it("the text typed in a session finds it, with the line", async () => {
    const test = "sessions-search";
    const dev = await chrome.person("dev");
    const w = await openAs(dev, "/ui/sessions", "Sessions", test);
    await fill(w, "Typed text", "PLAYED-IN");
    await (await element(w, named("Search", "button"), "Search")).click();
    await until(
      "the search in the URL",
      async () => new URL(w.page.url()).searchParams.get("q") === "PLAYED-IN",
    );
    const hit = await element(
      w,
      `tr[data-session-id="${recording.id}"]`,
      "the session found by what was typed",
    );
    assert.match(await textOf(hit), new RegExp(TYPED));
    await w.screenshot(test, "dev-sessions-found");

    await fill(w, "Typed text", "never-typed-anywhere");
    await (await element(w, named("Search", "button"), "Search")).click();
    await until("no session found", async () =>
      /No session in this time/.test(
        await w.page.$eval('[data-testid="sessions-summary"]', (summary) => summary.textContent ?? ""),
      ),
    );
    await w.screenshot(test, "dev-sessions-none-found");

    // The API's refusal of a field shows beside that field.
    await fill(w, "Since", "banana");
    await (await element(w, named("Search", "button"), "Search")).click();
    const refused = await element(w, "#sessions-since-error", "the API's message beside Since");
    assert.match(await textOf(refused), /must be/);
    assert.ok(await w.page.$('#sessions-since[aria-invalid="true"]'), "Since is marked invalid");
    await w.screenshot(test, "dev-sessions-bad-since");
    // Chromium logs the refused fetch as a console error, even though the page handles it.
    const problems = w.problemsOn(stack.url);
    assert.deepEqual(
      problems.filter((p) => !/status of 422 .*[?&]since=banana[&)]/.test(p)),
      [],
    );
  });

  it("oncall gets the API's 404 for dev's session, and does not see it listed", async () => {
    const test = "sessions-other";
    const oncall = await chrome.person("oncall");
    const list = await openAs(oncall, "/ui/sessions", "Sessions", test);
    await element(list, '[data-testid="sessions-summary"]', "oncall's Sessions list");
    assert.equal(
      await list.page.$(`tr[data-session-id="${recording.id}"]`),
      null,
      "oncall sees dev's session",
    );
    assert.equal(await list.page.$(named("User", "textbox")), null, "oncall is offered the user filter");

    const w = await oncall.open(`${stack.url}/ui/sessions/${recording.id}`);
    const refusal = await element(w, '[role="alert"]', "the refusal of dev's session");
    assert.match(await textOf(refusal), new RegExp(`no recording ${recording.id}: .*not yours to see`));
    assert.equal(await w.page.$('[data-testid="session-player"]'), null, "a player for a refused session");
    await w.screenshot(test, "oncall-session-refused");
    assertNoProblems([list], stack.url);
    // Chromium logs the refused fetch as a console error, even though the page handles it.
    const problems = w.problemsOn(stack.url);
    assert.deepEqual(
      problems.filter((p) => !(p.includes("status of 404") && p.includes(`/v1/recordings/${recording.id}`))),
      [],
    );
  });

  it("at 390 px the session page fits the screen, the player scaled to it", async () => {
    const test = "sessions-phone";
    const dev = await chrome.person("dev");
    const w = await openAs(dev, `/ui/sessions/${recording.id}`, `Session ${recording.id}`, test);
    await w.page.setViewport({ width: 390, height: 844 });
    await playByKeyboard(w);
    const widths = await w.page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } })
        .document;
      return {
        page: doc.documentElement.scrollWidth,
        window: (globalThis as unknown as { innerWidth: number }).innerWidth,
      };
    });
    assert.ok(widths.page <= widths.window, `the session page is ${widths.page} px wide at 390 px`);
    await w.screenshot(test, "dev-session-390px");
    assertNoProblems(dev.pages, stack.url);
  });
});
