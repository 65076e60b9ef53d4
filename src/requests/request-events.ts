import type { LifecycleEventName, LifecycleSink } from "../audit/index.ts";
import type { Logger } from "../shared/logger.ts";
import type { AccessRequest } from "./access-request.ts";
import { describeAccess, type RequestEvent, requestNotification } from "./request-messages.ts";
import type { Notifier } from "./webhook-notifier.ts";

/**
 * Tells the world about a request's transitions: an audit lifecycle event for each, and a
 * webhook notification for those people act on. The transition has already happened in
 * Redis, so a lost event is logged, never thrown.
 */
export class RequestEvents {
  readonly #lifecycle: LifecycleSink;
  readonly #notifier: Notifier;
  readonly #logger: Logger;
  readonly #publicUrl: string;

  constructor(options: {
    lifecycle: LifecycleSink;
    notifier: Notifier;
    logger: Logger;
    /** The broker's URL as people reach it: notifications link to the console there. */
    config: { server: { publicUrl: string } };
  }) {
    this.#lifecycle = options.lifecycle;
    this.#notifier = options.notifier;
    this.#logger = options.logger;
    this.#publicUrl = options.config.server.publicUrl;
  }

  /** The audit event and the notification. */
  async announce(
    event: RequestEvent & LifecycleEventName,
    request: AccessRequest,
    detail: string,
    actor?: string,
  ): Promise<void> {
    await this.record(event, request, detail);
    await this.#notifier.notify(
      requestNotification(event, request, { publicUrl: this.#publicUrl, ...(actor ? { actor } : {}) }),
    );
  }

  /** The audit event only. */
  async record(event: LifecycleEventName, request: AccessRequest, detail: string): Promise<void> {
    try {
      await this.#lifecycle.publish({
        event,
        cluster: request.cluster,
        user: request.requester.name,
        groups: request.requester.groups.join(","),
        grant: request.grantId ?? "",
        role: request.role,
        // What the request is for, granted yet or not: a rule can then watch break-glass asks.
        grantKind: request.breakGlass ? "break-glass" : "requested",
        namespace: request.namespaces.join(","),
        detail: `${describeAccess(request)}; ${detail}`,
        request: request.id,
      });
    } catch (err) {
      this.#logger.error({ request: request.id, event, err }, "lifecycle event not recorded");
    }
  }
}
