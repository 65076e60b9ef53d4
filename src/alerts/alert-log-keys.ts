import { keyspace } from "../shared/redis.ts";

/** The alert log's stream group that dispatches alerts (writes them down, delivers, acts). */
export const DISPATCH_GROUP = "kb-alerts-dispatch";
/** The consumer group, on each audit shard, that evaluates the rules. */
export const EVALUATE_GROUP = "kb-alerts";

/**
 * The alert log and everything about it, under one hash tag `{alerts}`: the log itself
 * (a stream, one entry per fired alert, field `alert` = the alert as JSON), one claim key per
 * alert id beside it holding the alert's stream ID (so claim and append are one script, and
 * an alert is found by its id), the dispatch steps done per alert, the dispatcher's lease,
 * and the evaluators' leases, one per audit shard.
 */
export function alertLogKeys(prefix: string) {
  const key = keyspace(prefix, "alerts");
  return {
    log: key("log"),
    claim: (alertId: string) => key("fired", alertId),
    /** The dispatch steps done for one alert (alert-dispatcher.ts). */
    steps: (alertId: string) => key("dispatched", alertId),
    dispatchLease: key("dispatch-lease"),
    evaluateLease: (shard: number) => key("evaluate-lease", String(shard)),
  };
}
