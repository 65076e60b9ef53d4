/**
 * CI token exchange: a CI job (GitHub Actions, GitLab CI, any OIDC issuer a rule names)
 * trades its own ID token for a short-lived cluster credential.
 *
 * Design: the verifier refuses the token unless its algorithm, issuer, signature (keys found
 * by OIDC discovery, cached per issuer), audience, exp, nbf and iat age all hold, and spends
 * its jti in Redis (once only, across replicas) — all before any rule is read. Then the first
 * matching rule (config order; pure, in rules.ts) names cluster, role and namespaces; the
 * grant lasts no longer than the rule, the role and the token itself allow; the grants
 * feature provisions it all-or-nothing and mints the credential, returned with a kubeconfig.
 */
import type { Config } from "../../config/schema.ts";
import type { Feature } from "../../http/feature.ts";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/logger.ts";
import type { RedisClient } from "../../shared/redis.ts";
import { type CiCredentialMinter, CiExchangeService, type CiGrantMaker } from "./ci-exchange-service.ts";
import { ciRoutes } from "./ci-routes.ts";
import { CiTokenVerifier } from "./ci-token-verifier.ts";
import { DiscoveredIssuerKeys } from "./discovered-issuer-keys.ts";
import { RedisReplayGuard } from "./redis-replay-guard.ts";

export type { CiCredentialMinter, CiExchangeResult, CiGrantMaker } from "./ci-exchange-service.ts";
export { ACCEPTED_ALGORITHMS, type VerifiedCiToken } from "./ci-token-verifier.ts";
export { matchCiRule } from "./rules.ts";

export interface CiExchangeDeps {
  config: Config;
  redis: RedisClient;
  keyPrefix: string;
  grants: CiGrantMaker;
  credentials: CiCredentialMinter;
  clock: Clock;
  logger: Logger;
  /** How soon after a JWKS fetch an unknown kid may trigger another (default 30 s; tests shorten it). */
  jwksRefetchCooldownMs?: number;
}

/** POST /v1/ci/exchange, rate-limited per client address. */
export function createCiExchange(deps: CiExchangeDeps): Feature {
  const keys = new DiscoveredIssuerKeys({ clock: deps.clock, refetchCooldownMs: deps.jwksRefetchCooldownMs });
  const verifier = new CiTokenVerifier({
    config: deps.config,
    keys,
    replay: new RedisReplayGuard({ redis: deps.redis, keyPrefix: deps.keyPrefix }),
    clock: deps.clock,
  });
  const exchange = new CiExchangeService({
    config: deps.config,
    verifier,
    grants: deps.grants,
    credentials: deps.credentials,
    clock: deps.clock,
    logger: deps.logger,
  });
  return {
    routes: (api) => [
      ciRoutes({
        exchange,
        rateLimit: api.rateLimit("ci-exchange", deps.config.limits.rateLimits.token.perMinute, "client"),
      }),
    ],
    start: async () => {},
    stop: async () => {},
  };
}
