import type { Clock } from "../shared/clock.ts";
import { sha256 } from "../shared/ids.ts";
import type { PresentedIdentity } from "./token-authenticator.ts";

/** At most this many verdicts are kept; a flood of distinct tokens evicts the oldest. */
const MAX_ENTRIES = 10_000;

/**
 * Verdicts on presented tokens, kept by the token's hash (never the token) until each one's
 * `until`, so a token costs one signature check or TokenReview however often it is used.
 */
export class VerifiedTokens {
  readonly #clock: Clock;
  readonly #verdicts = new Map<string, { identity: PresentedIdentity; until: number }>();

  constructor(options: { clock: Clock }) {
    this.#clock = options.clock;
  }

  /** The remembered identity while its verdict holds; otherwise `verify` decides (and throws to refuse). */
  async identityOf(
    token: string,
    verify: (now: number) => Promise<{ identity: PresentedIdentity; until: number }>,
  ): Promise<PresentedIdentity> {
    const key = sha256(token);
    const now = this.#clock.now();
    const known = this.#verdicts.get(key);
    if (known && known.until > now) return known.identity;
    const verdict = await verify(now);
    this.#verdicts.delete(key);
    this.#verdicts.set(key, verdict);
    if (this.#verdicts.size > MAX_ENTRIES) this.#verdicts.delete(this.#verdicts.keys().next().value!);
    return verdict.identity;
  }
}
