/** TokenRequest's minimum lifetime. */
export const MIN_TOKEN_SECONDS = 600;
/**
 * The API server silently turns a request for exactly 3607 s into a year-long token
 * (--service-account-extend-token-expiration), so that value is never asked for.
 */
const EXTENDED_BY_SERVER = 3607;
/** kubectl refreshes only after expiry; report it this much early so no request races it. */
export const EXPIRY_MARGIN_MS = 30_000;

/** `max(600, min(tokenTtl, seconds left in the grant))`, never 3607. */
export function tokenExpirationSeconds(tokenTtlSeconds: number, grantExpiresAt: number, now: number): number {
  const secondsLeft = Math.floor((grantExpiresAt - now) / 1000);
  const seconds = Math.max(MIN_TOKEN_SECONDS, Math.min(tokenTtlSeconds, secondsLeft));
  return seconds === EXTENDED_BY_SERVER ? EXTENDED_BY_SERVER - 1 : seconds;
}

/**
 * The expiry to tell kubectl: a margin before the token's own expiry, and never after the
 * grant's deadline (when the ServiceAccount is deleted and the token dies with it).
 */
export function reportedExpiry(tokenExpiresAt: number, grantExpiresAt: number): number {
  return Math.min(tokenExpiresAt - EXPIRY_MARGIN_MS, grantExpiresAt);
}
