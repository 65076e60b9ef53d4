/**
 * On-call schedules (issue 22): each configured iCalendar feed (PagerDuty, Opsgenie, Grafana
 * OnCall, or a file) read at start and every refresh interval, answering "who is on call at
 * T" from memory. Request rules name a schedule under `onCall`; the requests feature asks here
 * when a request is made.
 *
 * It owns the last good copy of each feed in Redis (`{oncall}:schedule:<name>`), so a broker
 * restarted while a feed is down, or another replica, still knows the schedule. Every replica
 * reads the feeds itself: they are small, and a feed one replica cannot reach another may.
 */
import type { Registry } from "prom-client";
import { webcalAsHttps } from "../config/oncall-schema.ts";
import type { Config } from "../config/schema.ts";
import { readSecret } from "../config/secrets.ts";
import type { Feature } from "../http/feature.ts";
import type { Clock } from "../shared/clock.ts";
import type { Logger } from "../shared/logger.ts";
import type { RedisClient } from "../shared/redis.ts";
import type { FeedSource } from "./feed-reader.ts";
import { type OnCallAnswer, OnCallSchedule } from "./on-call-schedule.ts";
import { createOnCallMetrics } from "./oncall-metrics.ts";
import { RedisScheduleCache } from "./redis-schedule-cache.ts";
import { createPersonReader } from "./shift-people.ts";

export type { OnCallAnswer } from "./on-call-schedule.ts";

export interface OnCallDeps {
  config: Pick<Config, "onCall" | "redis">;
  redis: RedisClient;
  clock: Clock;
  logger: Logger;
  metrics: Registry;
  env: NodeJS.ProcessEnv;
}

export interface OnCall extends Feature {
  /** Who is on call in `schedule` at `at`; undefined when it is not configured or was never read. */
  onCallAt(schedule: string, at: number): OnCallAnswer | undefined;
  /** Reads every feed now (tests, and a future admin endpoint). */
  refreshAll(): Promise<void>;
}

export function createOnCall(deps: OnCallDeps): OnCall {
  const { config, clock, logger } = deps;
  const cache = new RedisScheduleCache({ redis: deps.redis, keyPrefix: config.redis.keyPrefix });
  const settings = new Map(config.onCall.schedules.map((s) => [s.name, s]));
  const schedules = config.onCall.schedules.map(
    (s) =>
      new OnCallSchedule({
        name: s.name,
        source: feedSource(s, deps.env),
        limits: { timeoutMs: s.timeout * 1000, maxBytes: s.maxBytes },
        people: createPersonReader(s.person),
        cache,
        clock,
        logger,
      }),
  );
  const byName = new Map(schedules.map((s) => [s.name, s]));
  const metrics = createOnCallMetrics(deps.metrics, schedules, clock);
  const timers = new Map<string, NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  const refresh = (schedule: OnCallSchedule) => {
    const read = schedule.refresh().then((outcome) => metrics.refreshed(schedule.name, outcome));
    inFlight.add(read);
    return read.finally(() => inFlight.delete(read));
  };
  const every = (schedule: OnCallSchedule) => {
    if (stopped) return;
    const timer = setTimeout(
      () => void refresh(schedule).finally(() => every(schedule)),
      settings.get(schedule.name)!.refreshInterval * 1000,
    );
    timer.unref();
    timers.set(schedule.name, timer);
  };
  return {
    onCallAt: (schedule, at) => byName.get(schedule)?.onCallAt(at),
    refreshAll: async () => {
      await Promise.all(schedules.map(refresh));
    },
    routes: () => [],
    // A copy kept in Redis answers at once and the feed is read behind it; without one, start
    // waits for the first read (bounded by the schedule's timeout) so the broker does not open
    // knowing no schedule it could have known.
    start: async () => {
      await Promise.all(
        schedules.map(async (schedule) => {
          const cached = await schedule.loadCached();
          const first = refresh(schedule);
          if (!cached) await first;
          every(schedule);
        }),
      );
    },
    stop: async () => {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      await Promise.all(inFlight);
    },
  };
}

function feedSource(schedule: Config["onCall"]["schedules"][number], env: NodeJS.ProcessEnv): FeedSource {
  if (schedule.file) return { file: schedule.file };
  const what = `onCall.schedules "${schedule.name}"`;
  const url = String(webcalAsHttps(schedule.url ?? readSecret({ env: schedule.urlEnv }, what, env)!));
  // The env variable's value is checked here, as the file's url is by the schema; the message
  // never repeats it, since the URL's token is the secret.
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    throw new Error(`${what}: environment variable ${schedule.urlEnv} does not hold an http(s) URL`);
  return { url };
}
