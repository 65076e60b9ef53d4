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
import type { RequestHandler, Router } from "express";
import type { Config } from "../../config/schema.ts";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/logger.ts";
import type { RedisClient } from "../../shared/redis.ts";
import { type CiCredentialMinter, CiExchangeService, type CiGrantMaker } from "./exchange-service.ts";
import { DiscoveredIssuerKeys, type IssuerKeys } from "./issuer-keys.ts";
import { RedisReplayGuard } from "./replay-guard.ts";
import { ciRoutes } from "./routes.ts";
import { CiTokenVerifier } from "./token-verifier.ts";

export interface CreateCiExchangeOptions {
  config: Config;
  redis: RedisClient;
  keyPrefix: string;
  grants: CiGrantMaker;
  credentials: CiCredentialMinter;
  clock: Clock;
  logger: Logger;
  rateLimit?: RequestHandler;
  /** Defaults to OIDC discovery with jose's remote JWKS. */
  keys?: IssuerKeys;
  /** How soon after a JWKS fetch an unknown kid may trigger another (default 30 s). */
  jwksRefetchCooldownMs?: number;
}

export function createCiExchange(options: CreateCiExchangeOptions): {
  routes: Router;
  service: CiExchangeService;
} {
  const keys =
    options.keys ??
    new DiscoveredIssuerKeys({ clock: options.clock, refetchCooldownMs: options.jwksRefetchCooldownMs });
  const verifier = new CiTokenVerifier({
    config: options.config,
    keys,
    replay: new RedisReplayGuard({ redis: options.redis, keyPrefix: options.keyPrefix }),
    clock: options.clock,
  });
  const service = new CiExchangeService({
    config: options.config,
    verifier,
    grants: options.grants,
    credentials: options.credentials,
    clock: options.clock,
    logger: options.logger,
  });
  const routes = ciRoutes({ exchange: service, rateLimit: options.rateLimit });
  return { routes, service };
}

export type { CiExchangeResult } from "./exchange-service.ts";
export { matchCiRule } from "./rules.ts";
export { ACCEPTED_ALGORITHMS, type VerifiedCiToken } from "./token-verifier.ts";
