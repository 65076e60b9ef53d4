/**
 * Audit write throughput on a real 3-master Redis Cluster: the stream in 1 shard (one slot,
 * so one master takes every write) against 3 shards (three slots), in the same run, so the
 * ratio is what counts. Fail-closed, 64 concurrent appenders, rounds alternated so drift on
 * a shared machine hits both alike.
 * Run: npx node test/bench/audit-shards.ts (or npm run bench -- audit-shards)
 */
import { Registry } from "prom-client";
import { auditKeys } from "../../src/audit/audit-keys.ts";
import { createAuditMetrics } from "../../src/audit/audit-metrics.ts";
import { dedicatedConnection, waitUntilReady } from "../../src/audit/connection.ts";
import { RedisAuditWriter } from "../../src/audit/write/redis-audit-writer.ts";
import { silentLogger } from "../../src/shared/logger.ts";
import { startRedisCluster } from "../../tools/redis/redis-cluster.ts";
import { auditConfig, requestRecord } from "../support/audit-fixtures.ts";

const APPENDS = 20_000;
const CONCURRENCY = 64;
const ROUNDS = 3;

const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0 });
const client = cluster.client();

async function writerFor(shards: number) {
  const connection = dedicatedConnection(client);
  await waitUntilReady(connection, 5000);
  const keys = auditKeys(`kbbench${shards}:`, shards);
  const writer = new RedisAuditWriter({
    redis: connection,
    keys,
    config: auditConfig({ mode: "fail-closed", writeTimeout: 5, shards }),
    metrics: createAuditMetrics(new Registry()),
    logger: silentLogger(),
  });
  await writer.start();
  const masters = await Promise.all(keys.shards.map((shard) => cluster.masterOf(shard.log)));
  return {
    writer,
    masters: new Set(masters).size,
    close: async () => {
      await writer.stop();
      connection.disconnect();
    },
  };
}

/** CPU seconds each master has used so far (INFO cpu), in the cluster's node order. */
async function masterCpu(): Promise<number[]> {
  return Promise.all(
    client.nodes("master").map(async (node) => {
      const info = await node.info("cpu");
      const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
      return field("used_cpu_sys") + field("used_cpu_user");
    }),
  );
}

/**
 * Appends per second, and the busiest master's CPU per 1,000 appends: on this 2-core machine
 * the one writing process is the limit, not Redis, so throughput alone cannot show what
 * sharding buys; the busiest master's share of the work is what caps a real cluster.
 */
async function measure(
  writer: RedisAuditWriter,
  total: number,
): Promise<{ perSecond: number; hottestMs: number }> {
  const cpuBefore = await masterCpu();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < total) await writer.append(requestRecord());
    }),
  );
  const perSecond = total / ((performance.now() - started) / 1000);
  const cpuAfter = await masterCpu();
  const hottest = Math.max(...cpuAfter.map((cpu, i) => cpu - cpuBefore[i]!));
  return { perSecond, hottestMs: (hottest * 1000 * 1000) / total };
}

const one = await writerFor(1);
const three = await writerFor(3);
await measure(one.writer, 2000);
await measure(three.writer, 2000);
const results: Record<1 | 3, number[]> = { 1: [], 3: [] };
const hottest: Record<1 | 3, number[]> = { 1: [], 3: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const [shards, w] of [
    [1, one],
    [3, three],
  ] as const) {
    const { perSecond, hottestMs } = await measure(w.writer, APPENDS);
    results[shards].push(perSecond);
    hottest[shards].push(hottestMs);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

console.log("audit write throughput on a 3-master Redis Cluster (fail-closed, 64 concurrent)");
for (const [shards, w] of [
  [1, one],
  [3, three],
] as const) {
  const perSecond = median(results[shards]);
  const busiest = median(hottest[shards]);
  console.log(
    `  ${shards} shard${shards > 1 ? "s" : " "} (on ${w.masters} master${w.masters > 1 ? "s" : ""})  ${Math.round(perSecond).toString().padStart(8)} appends/s  ${(perSecond / median(results[1])).toFixed(2)}× 1 shard   rounds: ${results[shards].map(Math.round).join(", ")}`,
  );
  console.log(
    `      busiest master: ${busiest.toFixed(1)} ms CPU per 1,000 appends  ${(busiest / median(hottest[1])).toFixed(2)}× 1 shard`,
  );
}

await one.close();
await three.close();
client.disconnect();
await cluster.close();
