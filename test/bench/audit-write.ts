/**
 * Audit write throughput, fail-closed, against a bare XADD loop on the same private
 * redis-server in the same run (so the ratios, not the absolute numbers, are what count).
 * Run: npx node test/bench/audit-write.ts
 */
import { Registry } from "prom-client";
import { auditKeys } from "../../src/audit/audit-keys.ts";
import { createAuditMetrics } from "../../src/audit/audit-metrics.ts";
import { dedicatedConnection, waitUntilReady } from "../../src/audit/connection.ts";
import { toStreamFields } from "../../src/audit/record-fields.ts";
import { RedisAuditWriter } from "../../src/audit/write/redis-audit-writer.ts";
import { silentLogger } from "../../src/shared/logger.ts";
import { startRedis } from "../../tools/redis/redis-server.ts";
import { auditConfig, histogramCount, requestRecord } from "../support/audit-fixtures.ts";

const SEQUENTIAL = 5_000;
const CONCURRENT = 20_000;
const CONCURRENCY = 64;

const redis = await startRedis();
const client = redis.client();
const keys = auditKeys("kbbench:");
const fields = toStreamFields(requestRecord());

async function measure(label: string, total: number, concurrency: number, one: () => Promise<unknown>) {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) await one();
    }),
  );
  const perSecond = total / ((performance.now() - started) / 1000);
  return { label, perSecond };
}

const bareXadd = () => client.xadd(keys.log, "MAXLEN", "~", 1_000_000, "*", ...fields);

const registry = new Registry();
const connection = dedicatedConnection(client);
await waitUntilReady(connection, 2000);
const writer = new RedisAuditWriter({
  redis: connection,
  keys,
  config: auditConfig({ mode: "fail-closed", writeTimeout: 2 }),
  metrics: createAuditMetrics(registry),
  logger: silentLogger(),
});
await writer.start();
const append = () => writer.append(requestRecord());

// Warm up both paths (script load, JIT).
await measure("warm-up", 2000, 1, bareXadd);
await measure("warm-up", 2000, 8, append);

const bare = await measure("bare XADD, one at a time", SEQUENTIAL, 1, bareXadd);
const bare64 = await measure(`bare XADD, ${CONCURRENCY} concurrent`, CONCURRENT, CONCURRENCY, bareXadd);
const single = await measure("audit writer, one at a time", SEQUENTIAL, 1, append);
const mid = await histogramCount(registry, "kube_broker_audit_write_batch_records");
const concurrent = await measure(`audit writer, ${CONCURRENCY} concurrent`, CONCURRENT, CONCURRENCY, append);
const batches = (await histogramCount(registry, "kube_broker_audit_write_batch_records")) - mid;

const burstStart = await histogramCount(registry, "kube_broker_audit_write_batch_records");
await Promise.all(Array.from({ length: 1000 }, append));
const burstTrips = (await histogramCount(registry, "kube_broker_audit_write_batch_records")) - burstStart;

console.log("audit write benchmark (fail-closed, private redis-server on loopback)");
for (const { label, perSecond } of [bare, bare64, single, concurrent]) {
  console.log(
    `  ${label.padEnd(34)} ${Math.round(perSecond).toString().padStart(8)} appends/s  ${(perSecond / bare.perSecond).toFixed(2)}× bare loop`,
  );
}
console.log(
  `  audit writer, ${CONCURRENCY} concurrent: ${(CONCURRENT / batches).toFixed(1)} records per round trip`,
);
console.log(`  a burst of 1,000 concurrent appends took ${burstTrips} round trips`);

await writer.stop();
connection.disconnect();
await redis.close();
