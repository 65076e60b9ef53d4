/**
 * A 30-day usage report over a stream of 1,000,000 request records, against reading the same
 * records once with XRANGE, in the same run: the report reads the per-day aggregates (what
 * the aggregator keeps), so its cost follows the distinct permissions, not the records.
 * Target (DESIGN.md): the report answers in under 1 s. The aggregator's own throughput while
 * it catches up on the stream is printed too.
 * Run: npx node test/bench/usage-report.ts (or npm run bench -- usage-report)
 */
import { auditKeys } from "../../src/audit/audit-keys.ts";
import { toStreamFields } from "../../src/audit/record-fields.ts";
import { parseReportQuery } from "../../src/reports/usage/report-query.ts";
import { UsageAggregator } from "../../src/reports/usage/usage-aggregator.ts";
import { usageKeys } from "../../src/reports/usage/usage-keys.ts";
import { usageReport } from "../../src/reports/usage/usage-report.ts";
import { UsageStore } from "../../src/reports/usage/usage-store.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { silentLogger } from "../../src/shared/logger.ts";
import { dedicatedConnection } from "../../src/shared/redis.ts";
import { startRedis } from "../../tools/redis/redis-server.ts";
import { requestRecord } from "../support/audit-fixtures.ts";
import { testConfig } from "../support/fakes/test-config.ts";
import { ms, printResult, printTable } from "./support/report.ts";

const RECORDS = 1_000_000;
const DAYS = 30;
const DAY = 86_400_000;
const USERS = 20;
const RESOURCES = ["pods", "services", "configmaps", "secrets", "deployments", "jobs", "events", "endpoints"];
const VERBS = ["get", "list", "watch", "patch"];
const NAMESPACES = ["team-a", "team-b", "payments", "default"];

const redis = await startRedis();
const client = redis.client();
const log = auditKeys(redis.keyPrefix, 1).shards[0]!.log;
const now = Date.now();

// The stream: end records spread over the last 30 days, a grant per person per day.
let started = performance.now();
for (let written = 0; written < RECORDS; ) {
  const pipeline = client.pipeline();
  for (let i = 0; i < 2000 && written < RECORDS; i++, written++) {
    const day = written % DAYS;
    const user = written % USERS;
    const record = requestRecord({
      ts: new Date(now - day * DAY - (written % 3600) * 1000).toISOString(),
      user: `user${user}@example.com`,
      grant: `g-${user}-${day}`,
      cluster: "test",
      verb: VERBS[(written >> 3) % VERBS.length]!,
      resource: RESOURCES[(written >> 5) % RESOURCES.length]!,
      namespace: NAMESPACES[(written >> 7) % NAMESPACES.length]!,
      name: `obj-${written % 40}`,
    });
    pipeline.xadd(log, "*", ...toStreamFields(record));
  }
  await pipeline.exec();
}
console.log(`wrote ${RECORDS} request records in ${((performance.now() - started) / 1000).toFixed(1)} s`);

// The aggregator catches up on the whole stream, as it would after its first deploy.
const keys = usageKeys(redis.keyPrefix, 1);
const aggregator = new UsageAggregator({
  redis: client,
  connection: dedicatedConnection(client),
  log,
  keys: keys[0]!,
  holder: "bench",
  clock: systemClock,
  logger: silentLogger(),
  retentionSeconds: 90 * 86400,
  batch: 2000,
  blockMs: 100,
});
started = performance.now();
aggregator.start();
const [lastId] = (await client.xrevrange(log, "+", "-", "COUNT", 1))[0]!;
while ((await client.get(keys[0]!.applied)) !== lastId)
  await new Promise((resolve) => setTimeout(resolve, 100));
const ingestSeconds = (performance.now() - started) / 1000;
await aggregator.stop();
console.log(
  `aggregated them in ${ingestSeconds.toFixed(1)} s (${Math.round(RECORDS / ingestSeconds)} records/s)`,
);

const config = testConfig({ reports: { usageRetention: "90d" } });
const store = new UsageStore({ redis: client, keys });
async function report(): Promise<number> {
  const t = performance.now();
  const query = parseReportQuery("usage", { since: "30d" }, config, Date.now());
  const result = await usageReport({ reader: store, readers: new Map(), config, query, scoped: false });
  const elapsed = performance.now() - t;
  const counted = result.items.reduce((sum, item) => sum + item.count, 0);
  if (counted !== RECORDS) throw new Error(`the report counted ${counted} records, not ${RECORDS}`);
  return elapsed;
}
async function xrangeOnce(): Promise<number> {
  const t = performance.now();
  let from = "-";
  let read = 0;
  for (;;) {
    const page = (await client.xrange(log, from, "+", "COUNT", 10_000)) as [string, string[]][];
    read += page.length;
    if (page.length < 10_000) break;
    from = `(${page.at(-1)![0]}`;
  }
  if (read !== RECORDS) throw new Error(`XRANGE read ${read} records`);
  return performance.now() - t;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
await report();
const reports: number[] = [];
const scans: number[] = [];
for (let round = 0; round < 3; round++) {
  reports.push(await report());
  scans.push(await xrangeOnce());
}
const reportMs = median(reports);
const scanMs = median(scans);
printTable(`30-day usage report over ${RECORDS.toLocaleString("en")} request records`, [
  { what: "XRANGE of every record, once", p50: ms(scanMs) },
  {
    what: "usage report (aggregates)",
    p50: ms(reportMs),
    target: "< 1000 ms",
    ratio: `1/${Math.round(scanMs / reportMs)}`,
  },
]);
printResult("usage-report", {
  records: RECORDS,
  reportMs: Math.round(reportMs * 10) / 10,
  xrangeMs: Math.round(scanMs),
  ratio: Number((reportMs / scanMs).toPrecision(2)),
  aggregatedPerSecond: Math.round(RECORDS / ingestSeconds),
});
client.disconnect();
await redis.close();
