import type { LifecycleSink } from "../audit/index.ts";
import type { Clock } from "../shared/clock.ts";
import { LeasedStreamReader, type StreamEntry } from "../shared/leased-stream-reader.ts";
import type { Logger } from "../shared/logger.ts";
import type { RedisClient } from "../shared/redis.ts";
import { DISPATCH_GROUP } from "./alert-log-keys.ts";
import type { Alert } from "./alert-rule.ts";
import { alertFiredEvent } from "./alert-view.ts";
import type { AlertResponder } from "./response/alert-responder.ts";

/** Where an alert goes to reach people: Alertmanager and webhooks (delivery/). */
export interface AlertDeliverer {
  deliver(alert: Alert): Promise<void>;
}

export interface AlertDispatcherOptions {
  redis: RedisClient;
  /** Its own connection, for the blocking XREADGROUP and the acks; stop() closes it. */
  connection: RedisClient;
  keys: { log: string; lease: string; step(alertId: string): string };
  holder: string;
  lifecycle: LifecycleSink;
  delivery: AlertDeliverer;
  responder: AlertResponder;
  clock: Clock;
  logger: Logger;
  /** Told of each alert dispatched, with the seconds from its record's time to now. */
  onDispatched?(alert: Alert, delaySeconds: number): void;
  leaseTtlMs?: number;
  blockMs?: number;
}

/** The steps of one alert, in order; each is remembered once done, so a retry skips it. */
type Step = "recorded" | "delivered" | "acted";
const STEP_MEMORY_MS = 86_400_000;

/**
 * Does what a fired alert calls for, for every alert in the alert log, one replica at a time
 * under a lease: writes it down as an `alert.fired` audit record, hands it to delivery (which
 * only enqueues durable deliveries, so a dead webhook never holds this up), and carries out
 * its rule's action. A batch is acknowledged when all its alerts are through; a replica that
 * dies before leaves them pending for the next holder, which skips the steps already done
 * (each is remembered in Redis). Only a crash between a step and remembering it repeats that
 * one step, so dispatch is at least once and almost always exactly once.
 */
export class AlertDispatcher {
  readonly #options: AlertDispatcherOptions;
  readonly #reader: LeasedStreamReader;

  constructor(options: AlertDispatcherOptions) {
    this.#options = options;
    this.#reader = new LeasedStreamReader({
      redis: options.redis,
      connection: options.connection,
      stream: options.keys.log,
      group: DISPATCH_GROUP,
      holder: options.holder,
      leaseKey: options.keys.lease,
      ...(options.leaseTtlMs ? { leaseTtlMs: options.leaseTtlMs } : {}),
      batch: 50,
      ...(options.blockMs ? { blockMs: options.blockMs } : {}),
      logger: options.logger,
      what: "alert dispatch",
      handle: (batch) => this.#dispatchAndAck(batch),
    });
  }

  start(): void {
    this.#reader.start();
  }

  async stop(): Promise<void> {
    await this.#reader.stop();
    this.#options.connection.disconnect();
  }

  async #dispatchAndAck(batch: StreamEntry[]): Promise<void> {
    for (const [, fields] of batch) {
      // An entry trimmed before it was read comes back without fields: past retention.
      const json = fields?.[fields.indexOf("alert") + 1];
      if (fields && json) await this.#dispatch(JSON.parse(json) as Alert);
    }
    const { connection, keys } = this.#options;
    await connection.call("xack", keys.log, DISPATCH_GROUP, ...batch.map(([id]) => id));
  }

  async #dispatch(alert: Alert): Promise<void> {
    const { lifecycle, delivery, responder, logger } = this.#options;
    await this.#once(alert, "recorded", () => lifecycle.publish(alertFiredEvent(alert)));
    await this.#once(alert, "delivered", () => delivery.deliver(alert));
    const { action } = alert;
    if (action) {
      await this.#once(alert, "acted", async () => {
        const response = await responder.respond({ ...alert, action });
        logger.info({ alert: alert.id, rule: alert.rule, ...response }, "alert action");
      });
    }
    const delay = (this.#options.clock.now() - Date.parse(alert.record.ts)) / 1000;
    this.#options.onDispatched?.(alert, delay);
  }

  async #once(alert: Alert, step: Step, run: () => Promise<void>): Promise<void> {
    const { redis, keys } = this.#options;
    const key = keys.step(alert.id);
    if ((await redis.hget(key, step)) === "1") return;
    await run();
    await redis.multi().hset(key, step, "1").pexpire(key, STEP_MEMORY_MS).exec();
  }
}
