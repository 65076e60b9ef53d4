import type { LifecycleSink } from "../audit/record.ts";
import type { WebhookNotifier } from "./notifier.ts";
import { requestNotification } from "./request-messages.ts";
import type { RequestStore } from "./request-store.ts";

/**
 * Lifecycle events go to the audit log; the end of a grant that came from an access request
 * is also told to the request's webhooks (the grants feature knows nothing of requests).
 */
export function notifyingLifecycle(options: {
  audit: LifecycleSink;
  requests: RequestStore;
  notifier: Pick<WebhookNotifier, "notify">;
}): LifecycleSink {
  return {
    publish: async (event) => {
      await options.audit.publish(event);
      if (event.event !== "grant.ended" || !event.request) return;
      const request = await options.requests.get(event.request).catch(() => undefined);
      if (request) options.notifier.notify(requestNotification("grant.ended", request));
    },
  };
}
