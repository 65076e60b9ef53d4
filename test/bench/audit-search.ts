/**
 * Audit search at 10k, 100k and 1M records (issue 21): a rare person's records (100 at every
 * size, spread evenly through the stream) found through the index (`user=`), against the
 * same 100 records found by a scan in the same run (`verb=patch`: only that person's records
 * have it, and no index answers it). Each query goes through the real route over HTTP. Then
 * what the indexes add to writing: batches of records appended with them and without them,
 * turn about, the writer's and Redis's CPU per record. Run: npx node test/bench/audit-search.ts
 * (about 3 minutes; BENCH_SIZES=10000,100000 for fewer).
 */
import { auditKeys } from "../../src/audit/audit-keys.ts";
import type { AuditRecord } from "../../src/audit/record.ts";
import { type AppendTarget, appendBatch, serverTimeMs } from "../../src/audit/write/append-script.ts";
import { startRedis } from "../../tools/redis/redis-server.ts";
import { ADMIN, startAuditApp } from "../integration/audit/app.ts";
import { auditConfig, requestRecord } from "../support/audit-fixtures.ts";
import { redisPid } from "./support/audit-count.ts";
import { cpuSeconds } from "./support/proc.ts";
import { printResult, printTable, type Row } from "./support/report.ts";
import { summarize } from "./support/stats.ts";

const SIZES = (process.env.BENCH_SIZES ?? "10000,100000,1000000").split(",").map(Number);
const RARE = "rare@example.com";
const RARE_RECORDS = 100;
const FIRST_PAGE = 20;
const LOAD_BATCH = 1000;
const TARGET = { firstPageMs: 50, allMs: 200, growth: 2, writeCost: 1.2 };

const redis = await startRedis();
const client = redis.client();
const redisProcess = await redisPid(redis.url);
const retention = { maxAge: 30 * 86400, maxLength: 10_000_000 };
const target = (indexed: boolean): AppendTarget => ({
  maxLength: retention.maxLength,
  markTtlMs: retention.maxAge * 1000,
  replicas: 0,
  indexed,
});

/** `size` records, one in size/100 the rare person's (with the verb only they use). */
function recordAt(i: number, size: number): AuditRecord {
  const rare = i % (size / RARE_RECORDS) === 0;
  return requestRecord({
    user: rare ? RARE : `person-${i % 1000}@example.com`,
    verb: rare ? "patch" : "get",
    grant: `g-${i % 500}`,
    namespace: `team-${i % 50}`,
    resource: i % 3 === 0 ? "secrets" : "pods",
    phase: i % 2 === 0 ? "start" : "end",
  });
}

async function load(keyPrefix: string, size: number): Promise<void> {
  const keys = auditKeys(keyPrefix).shards[0]!;
  let seq = 0;
  for (let at = 0; at < size; at += LOAD_BATCH) {
    const batch = Array.from({ length: Math.min(LOAD_BATCH, size - at) }, (_, k) => ({
      seq: ++seq,
      record: recordAt(at + k, size),
    }));
    const notAfter = (await serverTimeMs(client, keys.log)) + 60_000;
    const result = await appendBatch(client, keys, target(true), "loader", batch, notAfter);
    if (result.done !== batch.length) throw new Error(`load: ${result.error ?? "late"}`);
  }
}

interface Timed {
  ms: number;
  items: number;
  requests: number;
}

async function timed(url: string, query: string, want: number): Promise<Timed> {
  const started = performance.now();
  let items = 0;
  let requests = 0;
  let cursor: string | null = null;
  do {
    const res = await fetch(
      `${url}/v1/audit?${query}${cursor ? `&after=${encodeURIComponent(cursor)}` : ""}`,
      {
        headers: { "x-test-user": ADMIN },
      },
    );
    requests++;
    if (res.status !== 200) throw new Error(`${query}: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { items: unknown[]; nextCursor: string | null };
    items += page.items.length;
    cursor = items < want ? page.nextCursor : null;
  } while (cursor);
  return { ms: performance.now() - started, items, requests };
}

async function median(times: number, run: () => Promise<Timed>): Promise<Timed> {
  const runs: Timed[] = [];
  for (let i = 0; i < times; i++) runs.push(await run());
  const ms = summarize(runs.map((r) => r.ms)).p50;
  return { ...runs[0]!, ms };
}

interface SizeFigures {
  size: number;
  firstPage: { index: number; scan: number };
  all: { index: number; scan: number };
  scanRequests: number;
  redisBytesPerRecord: number;
}

const figures: SizeFigures[] = [];
const problems: string[] = [];
for (const size of SIZES) {
  const keyPrefix = `kbsearch${size}:`;
  const memoryBefore = Number(/used_memory:(\d+)/.exec(await client.info("memory"))?.[1]);
  await load(keyPrefix, size);
  const memoryAfter = Number(/used_memory:(\d+)/.exec(await client.info("memory"))?.[1]);
  const app = await startAuditApp(redis, auditConfig({ retention }), { keyPrefix });
  try {
    const rare = `user=${encodeURIComponent(RARE)}`;
    const scanned = "verb=patch";
    // Warm up both paths (route, JIT) before timing.
    await timed(app.url, `${rare}&order=desc&limit=${FIRST_PAGE}`, FIRST_PAGE);
    const indexFirst = await median(20, () =>
      timed(app.url, `${rare}&order=desc&limit=${FIRST_PAGE}`, FIRST_PAGE),
    );
    const indexAll = await median(20, () => timed(app.url, `${rare}&limit=${RARE_RECORDS}`, RARE_RECORDS));
    const scanTurns = size >= 1_000_000 ? 1 : 3;
    const scanFirst = await median(scanTurns, () =>
      timed(app.url, `${scanned}&order=desc&limit=${FIRST_PAGE}`, FIRST_PAGE),
    );
    const scanAll = await median(scanTurns, () =>
      timed(app.url, `${scanned}&limit=${RARE_RECORDS}`, RARE_RECORDS),
    );
    for (const [what, got, want] of [
      ["index, first page", indexFirst.items, FIRST_PAGE],
      ["index, all", indexAll.items, RARE_RECORDS],
      ["scan, first page", scanFirst.items, FIRST_PAGE],
      ["scan, all", scanAll.items, RARE_RECORDS],
    ] as const) {
      if (got !== want) problems.push(`${size} records, ${what}: ${got} records, not ${want}`);
    }
    figures.push({
      size,
      firstPage: { index: indexFirst.ms, scan: scanFirst.ms },
      all: { index: indexAll.ms, scan: scanAll.ms },
      scanRequests: scanAll.requests,
      redisBytesPerRecord: (memoryAfter - memoryBefore) / size,
    });
  } finally {
    await app.close();
    await redis.clear();
  }
}

/** Writing with and without the indexes, turn about: the writer's and Redis's CPU per record. */
async function writeCost(): Promise<{ indexed: Cost; plain: Cost }> {
  const RECORDS = 40_000;
  const BATCH = 64; // about what the write batcher sends under load
  const totals = { indexed: { node: 0, redis: 0, records: 0 }, plain: { node: 0, redis: 0, records: 0 } };
  for (let turn = 0; turn < 6; turn++) {
    for (const indexed of [true, false]) {
      const keys = auditKeys(`kbwrite${turn}${indexed}:`).shards[0]!;
      const node = process.cpuUsage();
      const redisBefore = cpuSeconds(redisProcess);
      let seq = 0;
      const notAfter = (await serverTimeMs(client, keys.log)) + 600_000;
      for (let at = 0; at < RECORDS; at += BATCH) {
        const batch = Array.from({ length: BATCH }, (_, k) => ({
          seq: ++seq,
          record: recordAt(at + k, RECORDS),
        }));
        await appendBatch(client, keys, target(indexed), "writer", batch, notAfter);
      }
      const used = process.cpuUsage(node);
      const total = totals[indexed ? "indexed" : "plain"];
      total.node += (used.user + used.system) / 1000;
      total.redis += (cpuSeconds(redisProcess) - redisBefore) * 1000;
      total.records += RECORDS;
      await redis.clear();
    }
  }
  const per = (t: { node: number; redis: number; records: number }): Cost => ({
    nodeUs: (1000 * t.node) / t.records,
    redisUs: (1000 * t.redis) / t.records,
  });
  return { indexed: per(totals.indexed), plain: per(totals.plain) };
}
interface Cost {
  nodeUs: number;
  redisUs: number;
}
const cost = await writeCost();

const fmt = (value: number) => `${value.toFixed(1)} ms`;
const rows: Row[] = figures.flatMap((f) => [
  {
    what: `${f.size.toLocaleString("en")} records: first page of ${FIRST_PAGE}`,
    p50: fmt(f.firstPage.index),
    p99: fmt(f.firstPage.scan),
    target: `≤ ${TARGET.firstPageMs} ms`,
    ratio: `${(f.firstPage.scan / f.firstPage.index).toFixed(0)}× faster`,
  },
  {
    what: `${f.size.toLocaleString("en")} records: all ${RARE_RECORDS} of them`,
    p50: fmt(f.all.index),
    p99: `${fmt(f.all.scan)} (${f.scanRequests} pages)`,
    target: `≤ ${TARGET.allMs} ms`,
    ratio: `${(f.all.scan / f.all.index).toFixed(0)}× faster`,
  },
]);
const smallest = figures[0]!;
const largest = figures.at(-1)!;
const growth = {
  firstPage: largest.firstPage.index / smallest.firstPage.index,
  all: largest.all.index / smallest.all.index,
};
const writeRatio = (cost.indexed.nodeUs + cost.indexed.redisUs) / (cost.plain.nodeUs + cost.plain.redisUs);
rows.push(
  {
    what: `index: ${largest.size.toLocaleString("en")} against ${smallest.size.toLocaleString("en")} records (first page; all)`,
    p50: `${growth.firstPage.toFixed(2)}×; ${growth.all.toFixed(2)}×`,
    target: `≤ ${TARGET.growth}×`,
  },
  {
    what: "write, writer + Redis CPU per record: indexed (plain)",
    p50: `${cost.indexed.nodeUs.toFixed(1)} + ${cost.indexed.redisUs.toFixed(1)} µs`,
    p99: `${cost.plain.nodeUs.toFixed(1)} + ${cost.plain.redisUs.toFixed(1)} µs`,
    target: `≤ ${TARGET.writeCost}×`,
    ratio: `${writeRatio.toFixed(2)}×`,
  },
  {
    what: "Redis memory per record, indexes included",
    p50: `${Math.round(largest.redisBytesPerRecord)} B`,
  },
);
printTable(
  `audit search for one person's ${RARE_RECORDS} records, through the index (scan alongside)`,
  rows,
  {
    what: "what",
    p50: "index",
    p99: "scan",
    target: "target",
    ratio: "ratio",
  },
);
for (const problem of problems) console.log(`PROBLEM ${problem}`);
const met =
  largest.firstPage.index <= TARGET.firstPageMs &&
  largest.all.index <= TARGET.allMs &&
  Math.max(growth.firstPage, growth.all) <= TARGET.growth &&
  writeRatio <= TARGET.writeCost;
printResult("audit-search", { sizes: figures, growth, write: cost, writeRatio, met });
await redis.close();
process.exit(problems.length > 0 ? 1 : 0);
