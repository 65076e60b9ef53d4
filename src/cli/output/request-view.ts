import type { RequestView } from "../../requests/index.ts";
import { formatDuration } from "../../shared/duration.ts";
import type { Printable } from "./output-format.ts";
import { relativeTime, table } from "./table.ts";

/** An access request as the broker's API shows it (the server's own type). */
export type { RequestView };

export function requestsTable(requests: RequestView[], now: number, wide = false): string {
  return table(
    [
      "id",
      "requester",
      "cluster",
      "role",
      "namespaces",
      "for",
      "state",
      "approvals",
      "asked",
      ...(wide ? ["expires", "approved by", "grant"] : []),
      "reason",
    ],
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
      ...(wide
        ? [
            r.state === "pending" ? relativeTime(r.expiresAt, now) : "",
            r.approvals.map((a) => a.by).join(","),
            r.grantId ?? "",
          ]
        : []),
      r.reason,
    ]),
  );
}

/** `requests`: the list, as a table or as -o asks. */
export function requestList(requests: RequestView[], now: number): Printable {
  return {
    value: { items: requests },
    names: requests.map(requestName),
    text: (wide) => requestsTable(requests, now, wide),
    empty: "No access requests.",
  };
}

/** One request a command made or changed: its ID is the text result, for `id=$(…)`. */
export function changedRequest(request: RequestView): Printable {
  return { value: request, names: [requestName(request)], text: () => `${request.id}\n` };
}

export function requestName(request: Pick<RequestView, "id">): string {
  return `request/${request.id}`;
}

/** One line about a request's state, for people. */
export function describeRequest(r: RequestView): string {
  const what = describeWhat(r);
  switch (r.state) {
    case "pending":
      return `Request ${r.id} for ${what} is pending: ${r.approvals.length} of ${r.approvalsRequired} approval(s).${onCallNote(r)}`;
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

/** A break-glass request: granted at once, said so plainly, with what follows from it. */
export function describeBreakGlass(r: RequestView): string {
  if (r.state !== "approved" || !r.grantId) return `BREAK-GLASS ${describeRequest(r)}`;
  return (
    `BREAK-GLASS: access granted at once, with no approver: ${describeWhat(r)} for ${formatDuration(r.duration)}, ` +
    `grant ${r.grantId} (request ${r.id}). It is audited as break-glass, alerted on and listed in access reviews.`
  );
}

/** " On call (sre-primary): jane@example.com." — who may approve it for being on call. */
function onCallNote(r: RequestView): string {
  return r.onCall && r.onCall.people.length > 0
    ? ` On call (${r.onCall.schedule}): ${r.onCall.people.join(", ")}.`
    : "";
}

function describeWhat(r: RequestView): string {
  return `${r.role}${r.namespaces.length > 0 ? ` in ${r.namespaces.join(",")}` : ""} on ${r.cluster}`;
}
