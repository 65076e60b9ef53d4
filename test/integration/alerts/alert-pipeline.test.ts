import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Registry } from "prom-client";
import { type Alert, type AlertResponder, createAlerts } from "../../../src/alerts/index.ts";
import { auditKeys } from "../../../src/audit/audit-keys.ts";
import type { AuditRecord } from "../../../src/audit/record.ts";
import { toStreamFields } from "../../../src/audit/record-fields.ts";
import { createLogger } from "../../../src/shared/logger.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { alertGroupsReady } from "../../support/alert-fixtures.ts";
import { requestRecord, waitFor } from "../../support/audit-fixtures.ts";
import { RecordingLifecycle } from "../../support/fakes/recording-lifecycle.ts";
import { testConfig } from "../../support/fakes/test-config.ts";

const silent = createLogger({ level: "silent" });

/** A replica's alerts feature over a shared Redis, with delivery and actions recorded. */
function replica(redis: RedisHarness, keyPrefix: string, shards = 1) {
  const delivered: Alert[] = [];
  const acted: Alert[] = [];
  const lifecycle = new RecordingLifecycle();
  const responder: AlertResponder = {
    async respond(alert) {
      acted.push(alert);
      return { action: alert.action.kind, dryRun: alert.action.dryRun, outcome: "done", detail: "done" };
    },
  };
  const config = testConfig({
    redis: { url: "redis://unused", keyPrefix },
    audit: { shards },
    alerts: {
      sensitiveNamespaces: ["prod-*"],
      // Every test record comes from one address: that it is new would fire once, beside the point.
      defaults: { "new-source-ip": { enabled: false } },
      rules: [
        {
          name: "cut-exec",
          severity: "critical",
          description: "exec in prod is cut",
          match: { subresource: "exec", namespace: "prod-*" },
          action: "revoke-grant",
        },
      ],
    },
  });
  const feature = createAlerts({
    config,
    redis: redis.client(),
    replica: Math.random().toString(36).slice(2, 8),
    clock: { now: () => Date.now() },
    logger: silent,
    metrics: new Registry(),
    lifecycle,
    delivery: { deliver: async (alert) => void delivered.push(alert) },
    responder,
    blockMs: 100,
  });
  return { feature, delivered, acted, lifecycle };
}

async function append(
  redis: RedisHarness,
  keyPrefix: string,
  records: AuditRecord[],
  shards = 1,
): Promise<void> {
  const logs = auditKeys(keyPrefix, shards).shards.map((s) => s.log);
  const client = redis.client();
  for (const [i, record] of records.entries()) {
    await client.xadd(logs[i % logs.length]!, "*", ...toStreamFields(record));
  }
}

describe("alert pipeline (evaluation → alert log → dispatch)", () => {
  let redis: RedisHarness;
  let cases = 0;
  const prefix = () => `${redis.keyPrefix}pipeline${++cases}:`;

  before(async () => {
    redis = await startRedis();
  });
  after(() => redis.close());

  it("fires once per request, records alert.fired, delivers and acts, and ignores what matches nothing", async () => {
    const keyPrefix = prefix();
    // Written before alerts ever ran: history, which a first deploy does not evaluate.
    const old = requestRecord({
      verb: "create",
      resource: "pods",
      subresource: "exec",
      namespace: "prod-old",
    });
    await append(redis, keyPrefix, [old]);
    const one = replica(redis, keyPrefix);
    await one.feature.start();
    await alertGroupsReady(redis.client(), keyPrefix);
    try {
      const exec = requestRecord({
        verb: "create",
        resource: "pods",
        subresource: "exec",
        namespace: "prod-pay",
      });
      await append(redis, keyPrefix, [
        { ...exec, phase: "start", status: "", decision: "allowed" },
        exec,
        requestRecord({ verb: "get", resource: "pods", namespace: "team-a" }),
      ]);
      await waitFor(() => one.delivered.length >= 2 && one.acted.length >= 1);
      // Give a wrong second firing time to show up.
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(!one.delivered.some((a) => a.record.id === old.id), "history is not evaluated");
      const rules = one.delivered.map((a) => a.rule).sort();
      assert.deepEqual(rules, ["cut-exec", "exec-in-sensitive-namespace"]);
      assert.equal(one.acted.length, 1);
      assert.deepEqual(one.acted[0]!.action, { kind: "revoke-grant", dryRun: false });
      const fired = one.lifecycle.named("alert.fired");
      assert.equal(fired.length, 2);
      const detail = JSON.parse(fired[0]!.detail!);
      assert.equal(detail.record, exec.id);
      assert.equal(fired[0]!.user, exec.user);
      assert.equal(fired[0]!.namespace, "prod-pay");
    } finally {
      await one.feature.stop();
    }
  });

  it("a replica that stops mid-stream leaves the rest to another: every alert once, none lost", async () => {
    const keyPrefix = prefix();
    const shards = 3;
    const records = Array.from({ length: 600 }, (_, i) =>
      requestRecord({ verb: "create", resource: "pods", subresource: "exec", namespace: `prod-${i}` }),
    );
    const first = replica(redis, keyPrefix, shards);
    await first.feature.start();
    await alertGroupsReady(redis.client(), keyPrefix, shards);
    const writing = append(redis, keyPrefix, records, shards);
    await waitFor(() => first.delivered.length >= 50);
    await first.feature.stop();
    const second = replica(redis, keyPrefix, shards);
    await second.feature.start();
    try {
      await writing;
      const total = () => first.delivered.length + second.delivered.length;
      // Two rules match each record: the default exec rule and cut-exec.
      await waitFor(() => total() >= 2 * records.length, 20_000);
      await new Promise((r) => setTimeout(r, 300));
      const ids = [...first.delivered, ...second.delivered].map((a) => a.id);
      assert.equal(ids.length, 2 * records.length);
      assert.equal(new Set(ids).size, ids.length, "no alert delivered twice");
    } finally {
      await second.feature.stop();
    }
  });
});
