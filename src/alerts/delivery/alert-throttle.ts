import type { Clock } from "../../shared/clock.ts";
import { keyspace, type RedisClient } from "../../shared/redis.ts";
import { digest } from "../alert-identity.ts";
import type { Alert } from "../alert-rule.ts";
import type { Folded } from "./webhook-bodies.ts";

/**
 * What to do with one alert: send it to webhooks (telling of the repeats folded into it),
 * fold it into the next message, or nothing (an earlier delivery of the same id queued it).
 */
export type ThrottleDecision = ({ kind: "send" } & Folded) | { kind: "fold" } | { kind: "queued" };

/**
 * The decision is taken once per alert id and kept beside the group's state (KEYS[2], a
 * day): a second delivery of the same id gets the first one's decision back, so it is never
 * counted as a repeat; once its deliveries are queued the key says "queued", and it is not
 * queued again. A delivery that died between deciding and queueing finds its decision and
 * queues what it said. "send" resets the group's span and repeats; "fold" counts a repeat.
 */
const DECIDE = `
local prior = redis.call('GET', KEYS[2])
if prior then return prior end
local decision
if ARGV[4] == '1' then
  decision = 'send:0:'
else
  local s = redis.call('HMGET', KEYS[1], 'sentAt', 'repeats')
  local now, sentAt = tonumber(ARGV[1]), tonumber(s[1])
  if sentAt == nil or now - sentAt >= tonumber(ARGV[2]) then
    decision = 'send:' .. (s[2] or '0') .. ':' .. (s[1] or '')
    redis.call('HSET', KEYS[1], 'sentAt', ARGV[1], 'repeats', '0')
  else
    redis.call('HINCRBY', KEYS[1], 'repeats', 1)
    decision = 'fold'
  end
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
redis.call('SET', KEYS[2], decision, 'PX', ARGV[5])
return decision`;

const DAY_MS = 86_400_000;

/** Break-glass access is rare and every start must be seen at once, whatever came before. */
export function neverThrottled(alert: Alert): boolean {
  return alert.rule === "break-glass-started" && alert.severity === "critical";
}

/**
 * What the throttle counts per: the labels Alertmanager groups on (rule, cluster, namespace,
 * user), or for a threshold alert its rule and the value it counted (a burst of one user's
 * refusals across namespaces is one story).
 */
export function throttleGroup(alert: Alert): string {
  const r = alert.record;
  if (alert.group) return [alert.rule, alert.group.field, alert.group.value].join("\0");
  return [alert.rule, r.cluster, r.namespace, r.user].join("\0");
}

/**
 * At most one webhook message per rule and group per `spanMs`, the state in Redis so every
 * replica shares it. Keys of one group share the hash tag `{alerts:<digest>}`, so each call
 * is one Redis Cluster slot; times are the injected clock's (when messages go out, not when
 * the records were written: the point is how often people are interrupted).
 */
export class AlertThrottle {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #spanMs: number;
  readonly #clock: Clock;

  constructor(options: { redis: RedisClient; keyPrefix: string; spanMs: number; clock: Clock }) {
    this.#redis = options.redis;
    this.#prefix = options.keyPrefix;
    this.#spanMs = options.spanMs;
    this.#clock = options.clock;
  }

  async decide(alert: Alert): Promise<ThrottleDecision> {
    const [state, marker] = this.#keys(alert);
    // The group's state outlives its span by a day: repeats folded late are still told.
    const args = [
      this.#clock.now(),
      this.#spanMs,
      this.#spanMs + DAY_MS,
      neverThrottled(alert) ? 1 : 0,
      DAY_MS,
    ];
    const reply = String(await this.#redis.eval(DECIDE, 2, state, marker, ...args.map(String)));
    if (reply === "queued" || reply === "fold") return { kind: reply };
    const [, repeats, since] = reply.split(":");
    return { kind: "send", repeats: Number(repeats), since: since ? Number(since) : undefined };
  }

  /** The alert's deliveries are in the stream: another delivery of it queues nothing. */
  async queued(alert: Alert): Promise<void> {
    await this.#redis.set(this.#keys(alert)[1], "queued", "KEEPTTL", "XX");
  }

  #keys(alert: Alert): [state: string, marker: string] {
    const key = keyspace(this.#prefix, `alerts:${digest("throttle", throttleGroup(alert))}`);
    return [key("throttle"), key("delivered", alert.id)];
  }
}
