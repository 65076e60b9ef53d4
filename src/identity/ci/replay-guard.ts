/** Remembers which token ids were used, so each CI token is exchanged once only. */
export interface ReplayGuard {
  /** True the first time this (issuer, jti) is seen; remembered until `untilMs` (epoch ms). */
  firstUse(issuer: string, jti: string, untilMs: number, nowMs: number): Promise<boolean>;
  /** Forgets a use, for an exchange that failed on the broker's side before anything was made. */
  forget(issuer: string, jti: string): Promise<void>;
}
