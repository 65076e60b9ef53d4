import { formatDuration } from "../shared/duration.ts";
import type { AccessRequest } from "./access-request.ts";
import { requestView } from "./access-request.ts";
import type { Notification, NotificationEvent } from "./webhook-notifier.ts";

/** "edit in payments, team-a on prod for 30m" */
export function describeAccess(request: AccessRequest): string {
  const where = request.namespaces.length > 0 ? ` in ${request.namespaces.join(", ")}` : " cluster-wide";
  return `${request.role}${where} on ${request.cluster} for ${formatDuration(request.durationSeconds)}`;
}

/** The events that tell of an access request (the rest are other features'). */
export type RequestEvent = Exclude<NotificationEvent, "report.delivered" | "alert.fired">;

/** The web console's page of a request, which every notification of it links to. */
export function requestLink(publicUrl: string, requestId: string): string {
  return new URL(`/ui/requests/${encodeURIComponent(requestId)}`, publicUrl).href;
}

/**
 * The notification for a request event: a line for chat, ending with the request's console
 * page (chat apps link a bare URL at the end), and the request for machines with that page
 * as `link`. A request under an on-call rule names the person on call first — the chat line
 * starts with them, and the JSON body carries `onCall` — so the channel sees whose turn it
 * is and a receiver (a pager, a bot) can route it to them before anyone else.
 */
export function requestNotification(
  event: RequestEvent,
  request: AccessRequest,
  options: { publicUrl: string; actor?: string },
): Notification {
  const link = requestLink(options.publicUrl, request.id);
  const onCall = request.onCall && request.onCall.people.length > 0 ? request.onCall : undefined;
  const data = { ...(onCall ? { onCall } : {}), request: requestView(request), link };
  const text = request.breakGlass
    ? breakGlassText(event, request, describeAccess(request))
    : requestText(event, request, options.actor);
  const first = onCall && event === "request.created" ? `${onCallLine(onCall)} — ` : "";
  return { event, text: `${first}${text} — ${link}`, data };
}

/** "On call (sre-primary): dave@example.com, bob@example.com" */
function onCallLine(onCall: NonNullable<AccessRequest["onCall"]>): string {
  return `On call (${onCall.schedule}): ${onCall.people.join(", ")}`;
}

function requestText(event: RequestEvent, request: AccessRequest, actor: string | undefined): string {
  const access = describeAccess(request);
  const texts: Record<RequestEvent, string> = {
    "request.created": `${request.requester.name} requests ${access}: "${request.reason}". Approve with: kubectl broker approve ${request.id}`,
    "request.approved": `${request.requester.name}'s request for ${access} was approved by ${actor ?? "policy"}${request.grantId ? ` (grant ${request.grantId})` : ""}`,
    "request.denied": `${request.requester.name}'s request for ${access} was denied by ${actor ?? "an approver"}`,
    "request.expired": `${request.requester.name}'s request for ${access} expired without a decision`,
    "grant.ended": `${request.requester.name}'s access (${access}) from request ${request.id} has ended`,
  };
  return texts[event];
}

/**
 * Break-glass says so first, loudly: nobody approved it, so the people reading the channel
 * are the only check until the review.
 */
function breakGlassText(event: RequestEvent, request: AccessRequest, access: string): string {
  const who = request.requester.name;
  switch (event) {
    case "request.created":
    case "request.approved": {
      const grant = request.grantId
        ? ` (grant ${request.grantId}). Check it now; end it with: kubectl broker revoke ${request.grantId}`
        : "";
      return `BREAK-GLASS: ${who} took ${access} at once, with no approver: "${request.reason}"${grant}`;
    }
    case "grant.ended":
      return `BREAK-GLASS: ${who}'s emergency access (${access}) from request ${request.id} has ended`;
    default:
      return `BREAK-GLASS: ${who}'s emergency request for ${access} is ${event.slice("request.".length)}`;
  }
}

/** The reason, and who was on call under the rule's schedule: the basis an audit reader needs. */
export function createdDetail(request: AccessRequest): string {
  const onCall = request.onCall;
  if (!onCall) return request.reason;
  const who = onCall.people.length > 0 ? onCall.people.join(", ") : "nobody";
  return `${request.reason}; on call in schedule ${onCall.schedule}: ${who}${onCall.stale ? " (from the last good copy)" : ""}`;
}
