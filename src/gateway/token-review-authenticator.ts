import { AuthenticationV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { Clock } from "../shared/clock.ts";
import { Unauthorized } from "../shared/errors.ts";
import { sha256 } from "../shared/ids.ts";
import { BoundedCache } from "./bounded-cache.ts";
import {
  type PresentedIdentity,
  SERVICE_ACCOUNT_PREFIX,
  type TokenAuthenticator,
} from "./token-authenticator.ts";

/** How long the cluster's answer about a token is trusted without asking again. */
const CACHE_MS = 10_000;

/**
 * Asks the cluster (TokenReview) instead of checking signatures here; answers are cached
 * briefly by token hash. The grant check on every request still catches an ended grant.
 */
export class TokenReviewAuthenticator implements TokenAuthenticator {
  readonly #api: AuthenticationV1Api;
  readonly #audiences: string[];
  readonly #clock: Clock;
  readonly #cache = new BoundedCache<PresentedIdentity & { until: number }>(10_000);

  constructor(options: { kubeConfig: KubeConfig; audiences: string[]; clock: Clock }) {
    this.#api = options.kubeConfig.makeApiClient(AuthenticationV1Api);
    this.#audiences = options.audiences;
    this.#clock = options.clock;
  }

  async authenticate(token: string): Promise<PresentedIdentity> {
    const key = sha256(token);
    const now = this.#clock.now();
    const cached = this.#cache.get(key);
    if (cached && cached.until > now) return cached;
    const review = await this.#api.createTokenReview({
      body: { spec: { token, ...(this.#audiences.length > 0 ? { audiences: this.#audiences } : {}) } },
    });
    const user = review.status?.user;
    if (!review.status?.authenticated || !user?.username?.startsWith(SERVICE_ACCOUNT_PREFIX)) {
      throw new Unauthorized("the token was not accepted by the cluster for this gateway");
    }
    const [namespace = "", name = ""] = user.username.slice(SERVICE_ACCOUNT_PREFIX.length).split(":");
    const exp = expiryOf(token) ?? now + 60_000;
    const identity = { namespace, name, uid: user.uid ?? "", expiresAt: exp };
    this.#cache.set(key, { ...identity, until: Math.min(now + CACHE_MS, exp) });
    return identity;
  }
}

/** The token's own `exp` (ms), read without checking: the cluster has just vouched for it. */
function expiryOf(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as {
      exp?: number;
    };
    return payload.exp ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
