import type { LifecycleEvent } from "../audit/index.ts";
import { requestNotification } from "./request-messages.ts";
import type { RequestStore } from "./request-store.ts";
import type { Notifier } from "./webhook-notifier.ts";

/**
 * A lifecycle listener: the end of a grant that came from an access request is told to the
 * request's webhooks too (the grants feature knows nothing of requests). A request that can
 * no longer be read fails the listener, which the audit feature logs and counts.
 */
export function notifyGrantEnd(options: {
  requests: Pick<RequestStore, "get">;
  notifier: Notifier;
  /** The broker's URL as people reach it, for the link to the request's console page. */
  publicUrl: string;
}): (event: LifecycleEvent) => Promise<void> {
  return async (event) => {
    if (event.event !== "grant.ended" || !event.request) return;
    const request = await options.requests.get(event.request);
    if (request)
      await options.notifier.notify(
        requestNotification("grant.ended", request, { publicUrl: options.publicUrl }),
      );
  };
}
