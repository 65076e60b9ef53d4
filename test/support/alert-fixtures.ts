import type { Redis } from "ioredis";
import { EVALUATE_GROUP } from "../../src/alerts/alert-log-keys.ts";
import type { AlertRule } from "../../src/alerts/index.ts";
import { auditKeys } from "../../src/audit/audit-keys.ts";
import { alertRule } from "../../src/config/alerts-schema.ts";

/** A rule as the config schema would give it, from what a config file would say. */
export function rule(raw: Record<string, unknown>): AlertRule {
  return alertRule.parse({ severity: "warning", description: "test rule", ...raw });
}

/**
 * Waits until the alerts' evaluation group exists on every audit shard: it is made at the
 * shard's end, so a record written before it is never evaluated (as in a first deploy).
 */
export async function alertGroupsReady(
  client: Pick<Redis, "call">,
  keyPrefix: string,
  shards = 1,
  timeoutMs = 10_000,
): Promise<void> {
  const logs = auditKeys(keyPrefix, shards).shards.map((shard) => shard.log);
  const deadline = Date.now() + timeoutMs;
  for (const log of logs) {
    for (;;) {
      const groups = (await client.call("xinfo", "GROUPS", log).catch(() => [])) as unknown[][];
      if (groups.some((fields) => fields[1] === EVALUATE_GROUP)) break;
      if (Date.now() > deadline)
        throw new Error(`no ${EVALUATE_GROUP} group on ${log} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
