import type { RequestHandler, Router } from "express";
import type { LifecycleSink } from "../audit/record.ts";
import type { Config } from "../config/schema.ts";
import { readSecret } from "../config/secrets.ts";
import { byClient, type RateLimiter } from "../http/rate-limit.ts";
import type { Clock } from "../shared/clock.ts";
import type { Logger } from "../shared/logger.ts";
import type { Principal } from "../shared/principal.ts";
import type { RedisClient } from "../shared/redis.ts";
import { loginRoutes } from "./login-routes.ts";
import { LoginService } from "./login-service.ts";
import { LoginStore } from "./login-store.ts";
import { OpenIdOidcClient } from "./openid-oidc-client.ts";
import { requireSession } from "./require-session.ts";
import { sessionRoutes } from "./session-routes.ts";
import { SessionService } from "./session-service.ts";
import { SessionStore } from "./session-store.ts";

/**
 * Identity for people, wired: the broker's OIDC client (its secret read from env or file),
 * sessions, the two login flows, and the middleware other features put in front of their
 * routes. (CI jobs are src/identity/ci.)
 */
export function createIdentity(options: {
  config: Config;
  redis: RedisClient;
  clock: Clock;
  lifecycle: LifecycleSink;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  limiter: RateLimiter;
}): {
  requireSession: RequestHandler;
  routes(options: { isAdmin: (p: Principal) => boolean; entitlements: (p: Principal) => unknown }): Router[];
} {
  const { config, redis, clock, lifecycle, logger } = options;
  const keyPrefix = config.redis.keyPrefix;
  const secretSource = { env: config.oidc.clientSecretEnv, file: config.oidc.clientSecretFile };
  const oidc = new OpenIdOidcClient({
    settings: config.oidc,
    clientSecret: readSecret(secretSource, "oidc client secret", options.env),
  });
  const sessionStore = new SessionStore({ redis, keyPrefix });
  const sessions = new SessionService({
    store: sessionStore,
    oidc,
    settings: config.oidc,
    clock,
    lifecycle,
    logger,
  });
  const login = new LoginService({
    oidc,
    store: new LoginStore({ redis, keyPrefix }),
    sessions,
    settings: config.oidc,
    publicUrl: config.server.publicUrl,
    logger,
  });
  const session = requireSession(sessions);
  const limit = options.limiter.middleware("login", config.limits.rateLimits.login.perMinute, byClient);
  return {
    requireSession: session,
    routes: ({ isAdmin, entitlements }) => [
      loginRoutes({ login, limit }),
      sessionRoutes({ sessions, requireSession: session, isAdmin, entitlements }),
    ],
  };
}
