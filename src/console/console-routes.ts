import type { IncomingMessage } from "node:http";
import { type RequestHandler, Router } from "express";
import type { ConsoleFiles } from "./console-files.ts";
import { loginFailedPage } from "./login-failed-page.ts";

/**
 * On every /ui response, errors included. The CSP allows only the console's own files (no
 * inline script or style, so an injected tag does nothing), no framing (clickjacking on the
 * approve and revoke buttons), and no referrer, so a console URL never leaks to another site.
 * 'wasm-unsafe-eval' lets the console's own scripts compile WebAssembly, which the session
 * player's terminal emulator is (asciinema-player); it allows no eval of JavaScript and no
 * script from anywhere but 'self'.
 */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
    "connect-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
};

/** Content-hashed names: a file's content never changes under its name. */
const IMMUTABLE = "public, max-age=31536000, immutable";

/** What the console needs from sign-in (the identity feature provides it). */
export interface ConsoleSignIn {
  /**
   * Where a console sign-in landing back on `returnTo` (or /ui/) starts: the IdP's URL, or a
   * page choosing between identity providers (with its own headers) when there are several.
   */
  startLogin(
    returnTo: unknown,
    idp: unknown,
  ): Promise<{ redirect: URL } | { page: string; headers: Readonly<Record<string, string>> }>;
  /** Whether the request carries a live console session; a store outage throws. */
  signedIn(req: IncomingMessage): Promise<boolean>;
}

/**
 * /ui: the sign-in start, the sign-in failure page, the built assets, and the console's one
 * page for every other path (the console routes in the browser). The page needs a signed-in
 * browser; without one the person goes through sign-in and lands back where they asked.
 */
export function consoleRoutes(options: {
  files: ConsoleFiles;
  signIn: ConsoleSignIn;
  /** Rate limit of sign-in starts, shared with the CLI's /v1/login endpoints. */
  limit: RequestHandler;
}): Router {
  const { files, signIn } = options;
  const router = Router();
  router.use((_req, res, next) => {
    res.set(CONSOLE_SECURITY_HEADERS);
    next();
  });

  router.get("/login", options.limit, async (req, res) => {
    const next = await signIn.startLogin(req.query.return, req.query.idp);
    res.setHeader("Cache-Control", "no-store");
    if ("redirect" in next) return res.redirect(302, next.redirect.href);
    res.set(next.headers);
    res.type("html").send(next.page);
  });

  router.get("/login-failed", (req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.type("html").send(loginFailedPage(req.query));
  });

  // A mounted handler sees the path still percent-encoded, which ConsoleFiles checks itself.
  router.use("/assets", async (req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    const asset = await files.asset(req.path.replace(/^\//, ""));
    res.setHeader("Cache-Control", IMMUTABLE);
    res.setHeader("Content-Type", asset.contentType);
    res.send(asset.body);
  });

  router.use(async (req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    // Plain /ui: on to /ui/, so that relative links resolve under it.
    if (/^\/ui(\?|$)/i.test(req.originalUrl)) return res.redirect(302, `/ui/${req.originalUrl.slice(3)}`);
    await files.checkBuilt();
    res.setHeader("Cache-Control", "no-store");
    if (!(await signIn.signedIn(req))) {
      return res.redirect(302, `/ui/login?return=${encodeURIComponent(req.originalUrl)}`);
    }
    const page = await files.index();
    res.setHeader("Content-Type", page.contentType);
    res.send(page.body);
  });

  return router;
}
