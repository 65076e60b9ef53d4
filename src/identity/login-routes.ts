import { type RequestHandler, Router } from "express";
import { consoleCookie } from "./console-cookie.ts";
import type { ProviderChoice } from "./identity-providers.ts";
import { CHOOSER_HEADERS, idpChooserPage, withIdp } from "./idp-chooser-page.ts";
import type { LoginService } from "./login-service.ts";

/** Where the console shows why a sign-in failed (a page the console feature serves). */
export const CONSOLE_LOGIN_FAILED = "/ui/login-failed";

/**
 * The login endpoints. /start and /callback are visited by the person's browser; /token and
 * the device endpoints are called by the CLI. `limit` rate-limits all of them per client.
 * (The console's sign-in starts at /ui/login, which the console feature serves.)
 */
export function loginRoutes(options: {
  login: LoginService;
  /** The identity providers a login may name (GET /login/providers lists them for the CLI). */
  choices: () => ProviderChoice[];
  limit: RequestHandler;
  /** Whether cookies are set with Secure (the broker is reached over https). */
  secureCookies: boolean;
}): Router {
  const { login, limit } = options;
  const router = Router();

  router.get("/login/providers", limit, (_req, res) => {
    res.json({ providers: options.choices() });
  });

  router.get("/login/start", limit, async (req, res) => {
    const next = await login.start(req.query);
    if (next.kind === "redirect") return res.redirect(302, next.url.href);
    res.set(CHOOSER_HEADERS);
    res.type("html").send(idpChooserPage(next.choices, (name) => withIdp(req.originalUrl, name)));
  });

  router.get("/login/callback", limit, async (req, res) => {
    const query = new URL(req.originalUrl, "http://callback").searchParams;
    const outcome = await login.callback(query);
    // Nothing on the way back from the IdP may be cached: it hands out a session.
    res.setHeader("Cache-Control", "no-store");
    switch (outcome.kind) {
      case "loopback":
        return res.redirect(302, outcome.redirect.href);
      case "console":
        res.setHeader(
          "Set-Cookie",
          consoleCookie(outcome.session.secret, outcome.maxAgeSeconds, options.secureCookies),
        );
        return res.redirect(302, outcome.returnTo);
      case "console-failed": {
        const failed = new URLSearchParams({ error: outcome.error, return: outcome.returnTo });
        return res.redirect(302, `${CONSOLE_LOGIN_FAILED}?${failed}`);
      }
    }
  });

  router.post("/login/token", limit, async (req, res) => {
    res.json(sessionBody(await login.redeem(req.body ?? {})));
  });

  router.post("/login/device", limit, async (req, res) => {
    const device = await login.startDevice(req.body ?? {});
    res.json({
      device_code: device.deviceCode,
      user_code: device.userCode,
      verification_uri: device.verificationUri,
      verification_uri_complete: device.verificationUriComplete,
      interval: device.intervalSeconds,
      expires_in: device.expiresInSeconds,
    });
  });

  router.post("/login/device/token", limit, async (req, res) => {
    const result = await login.pollDevice(req.body ?? {});
    if (result.done) res.json(sessionBody(result.session));
    else res.status(202).json({ status: "authorization_pending", interval: result.intervalSeconds });
  });

  return router;
}

function sessionBody(session: { secret: string; expiresAt: number; principal: unknown }) {
  return {
    session: session.secret,
    expiresAt: new Date(session.expiresAt).toISOString(),
    principal: session.principal,
  };
}
