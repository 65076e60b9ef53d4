/**
 * Debian's chromium, headless, through puppeteer-core: the real browser for the web console's
 * end-to-end tests. One `Chromium` per test file; one `Person` (an isolated browser context:
 * its own cookies and storage) per person signing in; every page opened through a person is
 * watched (console errors, uncaught page errors, failed requests) and can be screenshotted to
 * test-artifacts/console/.
 *
 * Certificates: the stack's broker serves a leaf signed by a throwaway CA. Rather than
 * ignoring every certificate error, `trust` pins what that CA vouches for: this process
 * connects to each HTTPS origin, verifies its chain against the given CA with Node's TLS,
 * and passes the leaf's SPKI hash to `--ignore-certificate-errors-spki-list`. Chromium then
 * accepts exactly that key (and only with its own user-data dir, which we give it). Adding
 * the CA to an NSS database would need certutil (libnss3-tools) and a HOME for chromium: more
 * moving parts for the same effect. `--host-resolver-rules` makes every name but loopback
 * unresolvable, so a page that reaches for a remote asset (a CDN, a font) fails at once and
 * shows up in `failedRequests`, as it would on an air-gapped network.
 */
import { createHash, X509Certificate } from "node:crypto";
import { mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import puppeteer, { type Browser, type BrowserContext, type Page } from "puppeteer-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ROOT = new URL("../../", import.meta.url).pathname;
export const ARTIFACTS = join(ROOT, "test-artifacts/console");

export interface ChromiumOptions {
  /** HTTPS origins to trust, each with the PEM of the CA that signed its certificate. */
  trust?: { url: string; caCert: string }[];
  /** Where screenshots go (default test-artifacts/console). */
  artifacts?: string;
  /** Viewport (default 1280×900). */
  viewport?: { width: number; height: number };
}

/** Something that went wrong on a page, with the page's URL at the time. */
export interface PageProblem {
  kind: "console" | "pageerror" | "requestfailed";
  pageUrl: string;
  text: string;
}

export async function launchChromium(options: ChromiumOptions = {}): Promise<Chromium> {
  const pins = await Promise.all((options.trust ?? []).map((t) => leafSpkiHash(t.url, t.caCert)));
  const profile = await mkdtemp(join(tmpdir(), "kb-chromium-"));
  const artifacts = options.artifacts ?? ARTIFACTS;
  mkdirSync(artifacts, { recursive: true });
  const browser = await puppeteer
    .launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: profile,
      defaultViewport: options.viewport ?? { width: 1280, height: 900 },
      args: [
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-gpu",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
        ...(pins.length ? [`--ignore-certificate-errors-spki-list=${pins.join(",")}`] : []),
      ],
    })
    .catch(async (err: unknown) => {
      await rm(profile, { recursive: true, force: true });
      throw new Error(`could not start ${CHROMIUM} (Debian's chromium package): ${err}`);
    });
  return new Chromium(browser, profile, artifacts);
}

export class Chromium {
  readonly people: Person[] = [];
  readonly browser: Browser;
  readonly profile: string;
  readonly artifacts: string;

  constructor(browser: Browser, profile: string, artifacts: string) {
    this.browser = browser;
    this.profile = profile;
    this.artifacts = artifacts;
  }

  /** A fresh, isolated browser context for one person (no shared cookies). */
  async person(name: string): Promise<Person> {
    const person = new Person(name, await this.browser.createBrowserContext(), this.artifacts);
    this.people.push(person);
    return person;
  }

  /** Closes every person's context (a test's end): the next test starts with no one signed in. */
  async closePeople(): Promise<void> {
    const people = this.people.splice(0);
    await Promise.allSettled(people.map((p) => p.context.close()));
  }

  async close(): Promise<void> {
    await this.closePeople();
    await this.browser.close().catch(() => this.browser.process()?.kill("SIGKILL"));
    await rm(this.profile, { recursive: true, force: true });
  }
}

export class Person {
  readonly pages: WatchedPage[] = [];
  readonly name: string;
  readonly context: BrowserContext;
  readonly artifacts: string;

  constructor(name: string, context: BrowserContext, artifacts: string) {
    this.name = name;
    this.context = context;
    this.artifacts = artifacts;
  }

  /** A new tab in this person's context, watched from its first request. */
  async open(url?: string): Promise<WatchedPage> {
    const watched = new WatchedPage(await this.context.newPage(), this.artifacts);
    this.pages.push(watched);
    if (url) await watched.page.goto(url, { waitUntil: "domcontentloaded" });
    return watched;
  }
}

export class WatchedPage {
  readonly problems: PageProblem[] = [];
  readonly page: Page;
  readonly artifacts: string;

  constructor(page: Page, artifacts: string) {
    this.page = page;
    this.artifacts = artifacts;
    page.setDefaultTimeout(10_000);
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const where = message.location().url;
      this.#note("console", `${message.text()}${where ? ` (${where})` : ""}`);
    });
    page.on("pageerror", (error) => this.#note("pageerror", String(error)));
    page.on("requestfailed", (request) => {
      this.#note("requestfailed", `${request.method()} ${request.url()}: ${request.failure()?.errorText}`);
    });
  }

  /**
   * Problems seen while the page was on `origin` (all when omitted). Aborted requests are left
   * out: a navigation aborts the previous page's open connections (an event stream), which is
   * not an error.
   */
  problemsOn(origin?: string): string[] {
    return this.problems
      .filter((p) => origin === undefined || p.pageUrl.startsWith(origin))
      .filter((p) => !(p.kind === "requestfailed" && p.text.endsWith("net::ERR_ABORTED")))
      .map((p) => `${p.kind} on ${p.pageUrl}: ${p.text}`);
  }

  /** Saves a full-page PNG as <artifacts>/<test>-<label>.png; returns its path. */
  async screenshot(test: string, label: string): Promise<string> {
    const path = join(this.artifacts, `${slug(test)}-${slug(label)}.png`) as `${string}.png`;
    await this.page.screenshot({ path, fullPage: true });
    return path;
  }

  #note(kind: PageProblem["kind"], text: string): void {
    this.problems.push({ kind, pageUrl: this.page.url(), text });
  }
}

export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 80);
}

/**
 * The base64 SHA-256 of the SPKI of the certificate `url` serves, after Node has verified that
 * certificate against `caCert` (and the host name): we pin only what the CA vouches for.
 */
export function leafSpkiHash(url: string, caCert: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port || 443), ca: caCert });
    socket.once("secureConnect", () => {
      const leaf = new X509Certificate(socket.getPeerCertificate().raw);
      socket.end();
      const spki = leaf.publicKey.export({ type: "spki", format: "der" });
      resolve(createHash("sha256").update(spki).digest("base64"));
    });
    socket.once("error", (err) => reject(new Error(`trusting ${url}: ${err.message}`)));
  });
}
