import type { Grant } from "../grants/index.ts";

/**
 * The sentence a person sees when the broker ends their watch, log stream or exec session:
 * which grant ended, how, and what to do. It goes to the client in the form its protocol
 * shows (a watch ERROR event, a last log line, the exec error channel) and into the audit.
 */
export function endReason(grantId: string, grant: Grant | undefined): string {
  if (grant?.state !== "ended") return `grant ${grantId} has ended; ${AGAIN}`;
  switch (grant.endReason) {
    case "revoked":
      return `grant ${grant.id} was ${grant.endDetail ?? "revoked"}; ${AGAIN}`;
    case "expired":
      return deadlineReason(grant.id, grant.expiresAt);
    default:
      return `grant ${grant.id} ended (${grant.endReason}: ${grant.endDetail ?? ""}); ${AGAIN}`;
  }
}

/** What the local deadline timer says, before any replica has recorded the end. */
export function deadlineReason(grantId: string, expiresAt: number): string {
  return `grant ${grantId} expired at ${new Date(expiresAt).toISOString()}; ${AGAIN}`;
}

const AGAIN = "ask for access again if you still need it";

/**
 * A replica stopping (a rolling restart) ends its streams; the grant is untouched, so the
 * same command, run again, reaches another replica through the load balancer.
 */
export const RESTARTING = "the broker is restarting; run the command again to reconnect";
