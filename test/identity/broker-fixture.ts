import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Redis } from "ioredis";
import { Registry } from "prom-client";
import type { Config } from "../../src/config/schema.ts";
import { AccessService } from "../../src/grants/access-service.ts";
import { CredentialIssuer } from "../../src/grants/credentials.ts";
import { FakeClusterApi } from "../../src/grants/fake-cluster-api.ts";
import { grantRoutes } from "../../src/grants/grant-routes.ts";
import { GrantService } from "../../src/grants/grant-service.ts";
import { RedisGrantStore } from "../../src/grants/redis-grant-store.ts";
import { createApp } from "../../src/http/app.ts";
import { byClient, RateLimiter } from "../../src/http/rate-limit.ts";
import { loginRoutes } from "../../src/identity/login-routes.ts";
import { LoginService } from "../../src/identity/login-service.ts";
import { LoginStore } from "../../src/identity/login-store.ts";
import { OpenIdOidcClient } from "../../src/identity/openid-oidc-client.ts";
import { requireSession } from "../../src/identity/require-session.ts";
import { sessionRoutes } from "../../src/identity/session-routes.ts";
import { SessionService } from "../../src/identity/session-service.ts";
import { SessionStore } from "../../src/identity/session-store.ts";
import { entitlements, isAdmin } from "../../src/policy/index.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { silentLogger } from "../../src/shared/logger.ts";
import { RecordingLifecycle } from "../support/lifecycle.ts";

/**
 * The identity and credentials features wired as the broker wires them, over real Redis and
 * a real IdP, with an in-memory cluster: for testing login and sessions on their own.
 */
export interface IdentityFixture {
  url: string;
  api: FakeClusterApi;
  lifecycle: RecordingLifecycle;
  close(): Promise<void>;
}

export async function startIdentityFixture(
  config: Config,
  redis: Redis,
  clientSecret: string,
): Promise<IdentityFixture> {
  const keyPrefix = config.redis.keyPrefix;
  const logger = silentLogger();
  const lifecycle = new RecordingLifecycle();
  const api = new FakeClusterApi();
  const clusters = new Map([[config.clusters[0]!.name, { config: config.clusters[0]!, api }]]);
  const store = new RedisGrantStore({ redis, keyPrefix });
  const grants = new GrantService({
    store,
    clusters,
    roles: config.roles,
    clock: systemClock,
    lifecycle,
    logger,
  });
  const issuer = new CredentialIssuer({ clusters, clock: systemClock, lifecycle, logger });
  const access = new AccessService({ config, grants, store, issuer, now: () => Date.now() });
  const oidc = new OpenIdOidcClient({ settings: config.oidc, clientSecret });
  const sessions = new SessionService({
    store: new SessionStore({ redis, keyPrefix }),
    oidc,
    settings: config.oidc,
    clock: systemClock,
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
  const limiter = new RateLimiter({ redis, keyPrefix });
  const session = requireSession(sessions);
  const admin = (p: Parameters<typeof isAdmin>[1]) => isAdmin(config, p);
  const app = createApp({
    logger,
    metrics: new Registry(),
    readiness: [],
    trustProxy: false,
    maxBodyBytes: 1024 * 1024,
    api: [
      loginRoutes({
        login,
        limit: limiter.middleware("login", config.limits.rateLimits.login.perMinute, byClient),
      }),
      sessionRoutes({
        sessions,
        requireSession: session,
        isAdmin: admin,
        entitlements: (p) => entitlements(config, p),
      }),
      grantRoutes({
        access,
        grants,
        requireSession: session,
        tokenLimit: limiter.middleware("token", config.limits.rateLimits.token.perMinute, byClient),
        isAdmin: admin,
      }),
    ],
  });
  const server: Server = createServer(app);
  const port = Number(new URL(config.server.publicUrl).port);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    api,
    lifecycle,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
