import type { V1TokenReview } from "@kubernetes/client-node";
import { type KubeConnection, kubeJson } from "../cluster/index.ts";
import type { Clock } from "../shared/clock.ts";
import { Unauthorized } from "../shared/errors.ts";
import {
  type PresentedIdentity,
  SERVICE_ACCOUNT_PREFIX,
  type TokenAuthenticator,
} from "./token-authenticator.ts";
import { VerifiedTokens } from "./verified-tokens.ts";

/** How long the cluster's answer about a token is trusted without asking again. */
const CACHE_MS = 10_000;

/**
 * Asks the cluster (TokenReview) instead of checking signatures here; answers are cached
 * briefly by token hash. The grant check on every request still catches an ended grant.
 */
export class TokenReviewAuthenticator implements TokenAuthenticator {
  readonly #connection: KubeConnection;
  readonly #audiences: string[];
  readonly #verified: VerifiedTokens;

  constructor(options: { connection: KubeConnection; audiences: string[]; clock: Clock }) {
    this.#connection = options.connection;
    this.#audiences = options.audiences;
    this.#verified = new VerifiedTokens({ clock: options.clock });
  }

  authenticate(token: string): Promise<PresentedIdentity> {
    return this.#verified.identityOf(token, (now) => this.#review(token, now));
  }

  async #review(token: string, now: number): Promise<{ identity: PresentedIdentity; until: number }> {
    const body: V1TokenReview = {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenReview",
      spec: { token, ...(this.#audiences.length > 0 ? { audiences: this.#audiences } : {}) },
    };
    const review = await kubeJson<V1TokenReview>(
      this.#connection,
      "POST",
      "/apis/authentication.k8s.io/v1/tokenreviews",
      { body },
    );
    const user = review.status?.user;
    if (!review.status?.authenticated || !user?.username?.startsWith(SERVICE_ACCOUNT_PREFIX)) {
      throw new Unauthorized("the token was not accepted by the cluster for this gateway");
    }
    const [namespace = "", name = ""] = user.username.slice(SERVICE_ACCOUNT_PREFIX.length).split(":");
    const exp = expiryOf(token) ?? now + 60_000;
    const identity = { namespace, name, uid: user.uid ?? "", expiresAt: exp };
    return { identity, until: Math.min(now + CACHE_MS, exp) };
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
