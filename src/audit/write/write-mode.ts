import { Unavailable } from "../../shared/errors.ts";
import type { PendingWrite } from "./write-batcher.ts";

/** How a writer makes a batch safe: fail-closed (Redis or refuse) or buffered (Redis or spool). */
export interface WriteMode {
  flush(batch: PendingWrite[]): Promise<void>;
  /** Refuse appends that waited this long (fail-closed); unset: the mode bounds its own time. */
  readonly deadlineMs: number | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export const NOT_FORWARDED = "audit log unavailable: the request was not forwarded";
export const SPOOL_FULL =
  "audit log unavailable and the local audit spool is full: the request was not forwarded";

/** The refusal the gateway turns into a 503 Status; clients may retry shortly. */
export function auditUnavailable(message: string = NOT_FORWARDED, cause?: unknown): Unavailable {
  return new Unavailable(message, { details: { retryAfterSeconds: 1 }, cause });
}
