import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { HeadlessBrowser } from "../../support/browser.ts";
import { bearer, loginAs } from "../../support/login.ts";
import { rawRequest } from "../../support/raw-http.ts";
import { type Stack, startStack } from "../../support/stack.ts";

/**
 * The server half of the web console (docs/console.md) against the real stack: sign-in through
 * the dev IdP, the kb_console cookie, CSRF, and /ui served from a stand-in build (a fake
 * index.html and one asset in a temporary directory), so this runs without npm run build.
 */
const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
    "connect-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
};
const INDEX = "<!doctype html><title>kube-broker console (test build)</title>";
const ASSET = "assets/app-4f3a9c.js";

function assertSecurityHeaders(headers: Headers | Record<string, string>, what: string): void {
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) : headers[name]);
  for (const [name, value] of Object.entries(SECURITY_HEADERS))
    assert.equal(get(name), value, `${what}: ${name}`);
}

interface Status {
  kind: string;
  code: number;
  reason: string;
  message: string;
}

describe("web console: sign-in, cookie, CSRF and /ui", () => {
  let stack: Stack;
  let url: string;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kb-console-"));
    await mkdir(join(dir, "ui", "assets"), { recursive: true });
    await writeFile(join(dir, "ui", "index.html"), INDEX);
    await writeFile(join(dir, "ui", ASSET), "export const hello = 1;\n");
    stack = await startStack({ consoleDir: join(dir, "ui"), config: () => ({}) });
    url = stack.url;
  });
  after(async () => {
    await stack?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A console sign-in as `user`, up to the broker's callback, whose answer is returned as is. */
  async function signIn(user: string, returnTo: string): Promise<Response> {
    const start = new URL("/ui/login", url);
    start.searchParams.set("return", returnTo);
    const atCallback = await new HeadlessBrowser().visit(start, {
      login: user,
      stopAt: (at) => at.origin === url && at.pathname === "/v1/login/callback",
    });
    return fetch(atCallback.url, { redirect: "manual" });
  }

  /** The session secret from a sign-in's Set-Cookie. */
  async function consoleCookie(user: string): Promise<string> {
    const res = await signIn(user, "/ui/");
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("kb_console="));
    assert.ok(cookie, "the callback sets the console cookie");
    return `kb_console=${/^kb_console=([^;]+)/.exec(cookie)![1]}`;
  }

  async function consoleSession(cookie: string) {
    const res = await fetch(`${url}/v1/console/session`, { headers: { cookie } });
    assert.equal(res.status, 200);
    return (await res.json()) as {
      principal: { name: string; subject: string };
      admin: boolean;
      expiresAt: string;
      csrfToken: string;
      features: { reports: boolean; alerts: boolean };
    };
  }

  const ask = (namespace: string) =>
    JSON.stringify({ cluster: "test", role: "edit", namespace, duration: "30m", reason: "INC-1" });

  it("sign-in ends with the session cookie set and a 302 to the deep-linked page", async () => {
    const started = await fetch(`${url}/ui/login?return=${encodeURIComponent("/ui/requests/abc?x=1")}`, {
      redirect: "manual",
    });
    assert.equal(started.status, 302);
    assert.ok(started.headers.get("location")!.startsWith(stack.idp.issuer), "off to the IdP");
    assertSecurityHeaders(started.headers, "/ui/login");

    const res = await signIn("dev", "/ui/requests/abc?x=1");
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/ui/requests/abc?x=1");
    assert.equal(res.headers.get("cache-control"), "no-store");
    const [cookie, ...others] = res.headers.getSetCookie();
    assert.equal(others.length, 0);
    const match =
      /^kb_console=(kbs_[A-Za-z0-9_-]+); Max-Age=(\d+); Path=\/; HttpOnly; SameSite=Lax; Secure$/.exec(
        cookie ?? "",
      );
    assert.ok(match, cookie);
    const ttl = stack.config.oidc[0]!.sessionTtl;
    assert.ok(
      Number(match[2]) <= ttl && Number(match[2]) >= ttl - 10,
      `Max-Age ${match[2]} is the session's`,
    );

    const page = await fetch(`${url}/ui/requests/abc?x=1`, { headers: { cookie: `kb_console=${match[1]}` } });
    assert.equal(page.status, 200);
    assert.equal(await page.text(), INDEX);
    assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(page.headers.get("cache-control"), "no-store");
    assertSecurityHeaders(page.headers, "index.html");
  });

  it("a bad return path falls back to /ui/", async () => {
    for (const bad of ["//evil.example", "https://evil.example/", "/v1/whoami", "/ui/../v1/whoami"]) {
      const res = await signIn("dev", bad);
      assert.equal(res.status, 302, bad);
      assert.equal(res.headers.get("location"), "/ui/", bad);
    }
  });

  it("sends a browser without a live session through sign-in, keeping the path and query", async () => {
    for (const cookie of [undefined, "kb_console=kbs_not-a-session", "other=1"]) {
      const res = await fetch(`${url}/ui/requests/r1?tab=all`, {
        redirect: "manual",
        headers: cookie ? { cookie } : {},
      });
      assert.equal(res.status, 302, String(cookie));
      assert.equal(
        res.headers.get("location"),
        `/ui/login?return=${encodeURIComponent("/ui/requests/r1?tab=all")}`,
      );
      assertSecurityHeaders(res.headers, "redirect to sign-in");
    }
    const bare = await fetch(`${url}/ui`, { redirect: "manual" });
    assert.equal(bare.status, 302);
    assert.equal(bare.headers.get("location"), "/ui/");
  });

  it("serves assets immutable, 404s a missing one, and refuses every way out of assets/", async () => {
    const asset = await fetch(`${url}/ui/${ASSET}`);
    assert.equal(asset.status, 200);
    assert.equal(await asset.text(), "export const hello = 1;\n");
    assert.equal(asset.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal(asset.headers.get("content-type"), "text/javascript; charset=utf-8");
    assertSecurityHeaders(asset.headers, "asset");

    const missing = await fetch(`${url}/ui/assets/nope-123.js`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as Status).kind, "Status");
    assert.notEqual(missing.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assertSecurityHeaders(missing.headers, "missing asset");

    const cookie = await consoleCookie("dev");
    for (const path of [
      "/ui/assets/../../package.json",
      "/ui/assets/../index.html",
      "/ui/assets/%2e%2e/%2e%2e/package.json",
      "/ui/assets/..%2f..%2fpackage.json",
      "/ui/assets/%2E%2E%2F%2E%2E%2Fpackage.json",
      "/ui/assets/..%5c..%5cpackage.json",
      "/ui/assets/%252e%252e/package.json",
    ]) {
      // Sent as written: fetch would resolve the dots itself.
      const answer = await rawRequest(
        url,
        stack.caCert,
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(answer.status, 404, path);
      assert.doesNotMatch(answer.body, /"name": "kube-broker"|<title>/, path);
      assertSecurityHeaders(answer.headers, path);
    }
  });

  it("GET /v1/console/session answers the console's shape", async () => {
    const cookie = await consoleCookie("dev");
    const secret = cookie.slice("kb_console=".length);
    const res = await fetch(`${url}/v1/console/session`, { headers: { cookie } });
    assert.equal(res.headers.get("cache-control"), "no-store");
    const session = (await res.json()) as Awaited<ReturnType<typeof consoleSession>>;
    assert.deepEqual(Object.keys(session).sort(), [
      "admin",
      "csrfToken",
      "expiresAt",
      "features",
      "principal",
    ]);
    assert.equal(session.principal.name, "dev@example.com");
    assert.equal(session.admin, false);
    assert.ok(Date.parse(session.expiresAt) > Date.now() + 11 * 3600_000);
    assert.equal(
      session.csrfToken,
      createHmac("sha256", secret).update("kb-console-csrf").digest("base64url"),
    );
    assert.deepEqual(session.features, { reports: true, alerts: true });

    assert.equal((await consoleSession(await consoleCookie("admin"))).admin, true);
    assert.equal((await fetch(`${url}/v1/console/session`)).status, 401);
  });

  it("a cookie-authenticated change needs the CSRF token and our origin; nothing changes otherwise", async () => {
    const cookie = await consoleCookie("dev");
    const { csrfToken } = await consoleSession(cookie);
    const mine = async () =>
      (
        (await (await fetch(`${url}/v1/requests?scope=mine`, { headers: { cookie } })).json()) as {
          items: unknown[];
        }
      ).items.length;
    const before = await mine();
    const post = (headers: Record<string, string>, namespace = "team-a") =>
      fetch(`${url}/v1/requests`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json", ...headers },
        body: ask(namespace),
      });

    for (const [why, headers] of [
      ["no token", {}],
      ["no token, our origin", { origin: url }],
      ["a wrong token", { "x-csrf-token": "A".repeat(43) }],
      [
        "another session's token",
        { "x-csrf-token": createHmac("sha256", "kbs_x").update("kb-console-csrf").digest("base64url") },
      ],
      ["a foreign origin", { "x-csrf-token": csrfToken, origin: "https://evil.example" }],
      ["an opaque origin", { "x-csrf-token": csrfToken, origin: "null" }],
    ] as const) {
      const res = await post(headers);
      assert.equal(res.status, 403, why);
      const status = (await res.json()) as Status;
      assert.equal(status.kind, "Status");
      assert.equal(status.reason, "Forbidden");
      assert.match(status.message, /^cross-site request refused: /, why);
    }
    assert.equal(await mine(), before, "no request was created");

    assert.equal((await post({ "x-csrf-token": csrfToken, origin: url })).status, 201);
    assert.equal(
      (await post({ "x-csrf-token": csrfToken }, "team-b")).status,
      201,
      "no Origin header at all",
    );
    assert.equal(await mine(), before + 2);
  });

  it("bearer requests are unaffected, and an Authorization header is never rescued by a cookie", async () => {
    const session = await loginAs(url, "dev");
    const res = await fetch(`${url}/v1/requests`, {
      method: "POST",
      headers: { ...bearer(session), origin: "https://evil.example" },
      body: ask("payments"),
    });
    assert.equal(res.status, 201, "no CSRF token for a bearer");

    const cookie = await consoleCookie("dev");
    const bad = await fetch(`${url}/v1/whoami`, { headers: { authorization: "Bearer kbs_wrong", cookie } });
    assert.equal(bad.status, 401);
  });

  it("logout with the cookie needs the token, then clears the cookie and ends the session", async () => {
    const cookie = await consoleCookie("dev");
    const { csrfToken } = await consoleSession(cookie);
    const refused = await fetch(`${url}/v1/logout`, { method: "POST", headers: { cookie } });
    assert.equal(refused.status, 403);
    await consoleSession(cookie);

    const res = await fetch(`${url}/v1/logout`, {
      method: "POST",
      headers: { cookie, "x-csrf-token": csrfToken, origin: url },
    });
    assert.equal(res.status, 204);
    assert.deepEqual(res.headers.getSetCookie(), [
      "kb_console=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure",
    ]);
    assert.equal((await fetch(`${url}/v1/console/session`, { headers: { cookie } })).status, 401);
    const page = await fetch(`${url}/ui/`, { headers: { cookie }, redirect: "manual" });
    assert.equal(page.status, 302, "the console page asks for sign-in again");
  });

  it("an IdP refusal lands on a page that says so and links back to sign-in", async () => {
    const started = await fetch(`${url}/ui/login?return=${encodeURIComponent("/ui/grants")}`, {
      redirect: "manual",
    });
    const state = new URL(started.headers.get("location")!).searchParams.get("state")!;
    const callback = new URL("/v1/login/callback", url);
    callback.search = new URLSearchParams({
      state,
      error: "access_denied",
      iss: stack.idp.issuer,
    }).toString();
    const res = await fetch(callback, { redirect: "manual" });
    assert.equal(res.status, 302);
    assert.deepEqual(res.headers.getSetCookie(), [], "no session");
    const failed = new URL(res.headers.get("location")!, url);
    assert.equal(failed.pathname, "/ui/login-failed");

    const page = await fetch(failed);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type")!, /^text\/html/);
    assertSecurityHeaders(page.headers, "login-failed");
    const html = await page.text();
    assert.match(html, /declined the sign-in/);
    assert.match(html, /href="\/ui\/login\?return=%2Fui%2Fgrants"/);
  });

  it("answers 503 Status on /ui while the console is not built", async () => {
    const cookie = await consoleCookie("dev");
    await rename(join(dir, "ui"), join(dir, "moved"));
    try {
      for (const path of ["/ui/", "/ui/requests", `/ui/${ASSET}`]) {
        for (const headers of [{ cookie }, {}]) {
          const res = await fetch(`${url}${path}`, { headers, redirect: "manual" });
          assert.equal(res.status, 503, path);
          const status = (await res.json()) as Status;
          assert.equal(status.kind, "Status");
          assert.equal(status.message, "the web console was not built: run npm run build");
          assertSecurityHeaders(res.headers, path);
        }
      }
    } finally {
      await rename(join(dir, "moved"), join(dir, "ui"));
    }
    assert.equal((await fetch(`${url}/ui/`, { headers: { cookie } })).status, 200);
  });
});
