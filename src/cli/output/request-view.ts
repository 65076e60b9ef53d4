import type { RequestView } from "../../requests/index.ts";
import { formatDuration } from "../../shared/duration.ts";
import { relativeTime, table } from "./table.ts";

/** An access request as the broker's API shows it (the server's own type). */
export type { RequestView };

export function requestsTable(requests: RequestView[], now: number): string {
  return table(
    ["id", "requester", "cluster", "role", "namespaces", "for", "state", "approvals", "asked", "reason"],
    requests.map((r) => [
      r.id,
      r.requester,
      r.cluster,
      r.role,
      r.namespaces.join(",") || "*",
      formatDuration(r.duration),
      r.state,
      `${r.approvals.length}/${r.approvalsRequired}`,
      relativeTime(r.createdAt, now),
      r.reason,
    ]),
  );
}

/** One line about a request's state, for people. */
export function describeRequest(r: RequestView): string {
  const what = `${r.role}${r.namespaces.length > 0 ? ` in ${r.namespaces.join(",")}` : ""} on ${r.cluster}`;
  switch (r.state) {
    case "pending":
      return `Request ${r.id} for ${what} is pending: ${r.approvals.length} of ${r.approvalsRequired} approval(s).`;
    case "approved":
      return r.grantId
        ? `Request ${r.id} for ${what} is approved: grant ${r.grantId}.`
        : `Request ${r.id} for ${what} is approved, but its grant failed: ${r.grantError ?? "unknown error"}`;
    case "denied":
      return `Request ${r.id} for ${what} was denied by ${r.denial?.by}${r.denial?.comment ? `: ${r.denial.comment}` : "."}`;
    default:
      return `Request ${r.id} for ${what} is ${r.state}.`;
  }
}
