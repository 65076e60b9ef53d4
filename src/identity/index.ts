/**
 * Identity for people: the broker is the OIDC client (authorization code with PKCE, or the
 * device flow; login-service.ts explains both), and a person holds a broker session, never an
 * IdP token. Sessions are random secrets stored only as hashes, re-checked against the IdP
 * with its refresh token, and revocable centrally (session-service.ts). CI jobs are
 * identity/ci, a feature of its own.
 *
 * The web console signs in through the same client and holds the same kind of session, in
 * the HttpOnly kb_console cookie (console-cookie.ts); requests authenticated by the cookie
 * must pass the CSRF checks (console-csrf.ts). The console feature serves /ui and asks this
 * one to start a sign-in and whether a browser is signed in.
 *
 * It owns the broker's OIDC client (its secret read from env or file), sessions and login
 * state in Redis (the {sessions} and {login} hash tags), the login, whoami, console session
 * and logout routes, the console cookie, and the session check every other feature's routes
 * sit behind.
 *
 * People may sign in at one of several identity providers (config `oidc` as a list): each
 * has its own client, discovered lazily, and its own prefixes on names and groups, so the
 * same username at two providers is two people (identity-providers.ts, claims.ts).
 */
import type { IncomingMessage } from "node:http";
import type { RequestHandler } from "express";
import type { LifecycleSink } from "../audit/index.ts";
import type { Config } from "../config/schema.ts";
import { readSecret } from "../config/secrets.ts";
import type { Feature } from "../http/feature.ts";
import { entitlements } from "../policy/index.ts";
import type { Clock } from "../shared/clock.ts";
import { Unauthorized } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import type { Principal } from "../shared/principal.ts";
import type { RedisClient } from "../shared/redis.ts";
import { CONSOLE_COOKIE, readCookie } from "./console-cookie.ts";
import { IdentityProviders } from "./identity-providers.ts";
import { CHOOSER_HEADERS, idpChooserPage, withIdp } from "./idp-chooser-page.ts";
import { loginRoutes } from "./login-routes.ts";
import { LoginService } from "./login-service.ts";
import { LoginStore } from "./login-store.ts";
import { OpenidOidcClient } from "./openid-oidc-client.ts";
import { consoleReturnPath } from "./redirects.ts";
import { requireSession } from "./require-session.ts";
import { type ConsoleFeatures, sessionRoutes } from "./session-routes.ts";
import { SessionService } from "./session-service.ts";
import { SessionStore } from "./session-store.ts";

export interface IdentityDeps {
  config: Config;
  redis: RedisClient;
  clock: Clock;
  lifecycle: LifecycleSink;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  /** Which optional console pages have an API behind them (GET /v1/console/session tells). */
  consoleFeatures: ConsoleFeatures;
}

export interface Identity extends Feature {
  /** Express middleware: the request needs a broker session; getPrincipal(res) names its holder. */
  requireSession: RequestHandler;
  /** Ends every broker session of a person (by subject) at once; returns how many were live. */
  revokeAllOf(subject: string, by: Principal): Promise<number>;
  /** The web console's sign-in: where a browser starts it, and whether one is signed in. */
  consoleSignIn: {
    /**
     * Where a console sign-in landing back on `returnTo` (or /ui/) starts: the IdP's URL, or
     * with several providers and none named, a page to choose one (and the headers it needs).
     */
    startLogin(
      returnTo: unknown,
      idp: unknown,
    ): Promise<{ redirect: URL } | { page: string; headers: Readonly<Record<string, string>> }>;
    /** Whether the request's kb_console cookie names a live session (a store outage throws). */
    signedIn(req: IncomingMessage): Promise<boolean>;
  };
}

export function createIdentity(deps: IdentityDeps): Identity {
  const { config, redis, clock, lifecycle, logger } = deps;
  const keyPrefix = config.redis.keyPrefix;
  const providers = new IdentityProviders(
    config.oidc.map((settings, i) => {
      const source = { env: settings.clientSecretEnv, file: settings.clientSecretFile };
      const what =
        config.oidc.length > 1 ? `oidc.${i} (${settings.name}) client secret` : "oidc client secret";
      return {
        settings,
        client: new OpenidOidcClient({ settings, clientSecret: readSecret(source, what, deps.env) }),
      };
    }),
  );
  const sessions = new SessionService({
    store: new SessionStore({ redis, keyPrefix }),
    providers,
    clock,
    lifecycle,
    logger,
  });
  const login = new LoginService({
    providers,
    store: new LoginStore({ redis, keyPrefix }),
    sessions,
    publicUrl: config.server.publicUrl,
    logger,
    clock,
  });
  const publicUrl = config.server.publicUrl;
  const secureCookies = new URL(publicUrl).protocol === "https:";
  const session = requireSession(sessions, { publicUrl });
  return {
    requireSession: session,
    revokeAllOf: (subject, by) => sessions.revokeAllOf(subject, by),
    consoleSignIn: {
      startLogin: async (returnTo, idp) => {
        const next = await login.startConsole(returnTo, idp);
        if (next.kind === "redirect") return { redirect: next.url };
        const back = new URLSearchParams({ return: consoleReturnPath(returnTo) });
        const page = idpChooserPage(next.choices, (name) => withIdp(`/ui/login?${back}`, name));
        return { page, headers: CHOOSER_HEADERS };
      },
      signedIn: async (req) => {
        const secret = readCookie(req.headers.cookie, CONSOLE_COOKIE);
        if (!secret) return false;
        return sessions.authenticate(secret).then(
          () => true,
          (err: unknown) => {
            if (err instanceof Unauthorized) return false;
            throw err;
          },
        );
      },
    },
    routes: (api) => [
      loginRoutes({
        login,
        choices: () => providers.choices(),
        limit: api.rateLimit("login", config.limits.rateLimits.login.perMinute, "client"),
        secureCookies,
      }),
      sessionRoutes({
        sessions,
        requireSession: session,
        isAdmin: api.isAdmin,
        entitlements: (principal) => entitlements(config, principal),
        consoleFeatures: deps.consoleFeatures,
        secureCookies,
      }),
    ],
    start: async () => {},
    stop: async () => {},
  };
}
