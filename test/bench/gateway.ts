/**
 * Gateway benchmark (DESIGN.md "Performance targets", issue 6): latency added at a fixed
 * 500 requests/s (open loop) and peak throughput (closed loop), each as a ratio against a
 * direct connection to the same upstream and against a bare http-proxy pass-through, in one
 * run. Two upstreams: the API stand-in, and a trivial one that answers `{}` at once so the
 * stand-in's own cost cannot hide the gateway's. The gateway is the real broker (fail-closed
 * audit, JWKS token check, grant check, server-held API token) in a process of its own, the
 * bare proxy in another, the upstreams and Redis (appendfsync everysec, as deploy/ runs it)
 * in a third; this process only generates load. All share the machine's cores, so only
 * same-run ratios mean anything; the CPU each server spends per request is reported too, as
 * it does not depend on who else runs. Ends by checking the audit stream holds one start and
 * one end record per gateway request. The gateway is measured at both its addresses:
 * /clusters/<name> on the broker's listener, and the prefix-free listener ("root"), where the
 * cluster is read from the token's audience; the two should cost the same.
 * Run: npx node test/bench/gateway.ts   (about 4 minutes; BENCH_SECONDS sets the seconds per
 * latency variant, default 14)
 */
import { availableParallelism } from "node:os";
import { countRequestRecords, redisPid } from "./support/audit-count.ts";
import { type ClusterName, startBenchStack } from "./support/bench-stack.ts";
import { CHEAP_PATH } from "./support/fast-upstream.ts";
import { closedLoop, type Endpoint, endpoint, openLoop } from "./support/load.ts";
import { cpuSeconds } from "./support/proc.ts";
import { ms, printResult, printTable, type Row, times } from "./support/report.ts";
import { round, type Summary, summarize } from "./support/stats.ts";

const RATE = 500;
const MEASURE_MS = Number(process.env.BENCH_SECONDS ?? 14) * 1000;
/** Each variant runs in this many turns (see interleaved). */
const ROUNDS = 2;
const WARM_MS = 3000;
const CLIENTS = 32;
const PEAK_MS = 8000;
const UPSTREAMS: [ClusterName, string][] = [
  ["fast", "trivial upstream ({} at once)"],
  ["test", "API stand-in"],
];
const WAYS = ["direct", "bare", "gateway", "root"] as const;
type Way = (typeof WAYS)[number];
const LABELS: Record<Way, string> = {
  direct: "direct",
  bare: "bare http-proxy",
  gateway: "kube-broker gateway, /clusters/<name>",
  root: "kube-broker gateway, prefix-free",
};

const stack = await startBenchStack({ bareProxy: true });
const { info } = stack;
const ca = [info.caCert, info.upstreams.test.caCert, info.upstreams.fast.caCert];
const redis = await redisPid(info.redis.url);
const problems: string[] = [];
const lateness: number[] = [];

function endpointsFor(cluster: ClusterName): Record<Way, Endpoint> {
  const grant = info.grants[cluster];
  return {
    direct: endpoint(`${info.upstreams[cluster].url}${CHEAP_PATH}`, grant.apiToken, ca),
    bare: endpoint(`${stack.bare!.url}/clusters/${cluster}${CHEAP_PATH}`, grant.apiToken, ca),
    gateway: endpoint(`${stack.gateway.url}/clusters/${cluster}${CHEAP_PATH}`, grant.token, ca),
    root: endpoint(`${stack.gateway.rootUrl}${CHEAP_PATH}`, grant.token, ca),
  };
}

/** Runs `measure` ROUNDS times for every way, taking turns, so slow drift hits all alike. */
async function interleaved(
  ways: Record<Way, Endpoint>,
  measure: (way: Way, target: Endpoint) => Promise<void>,
) {
  for (let round = 0; round < ROUNDS; round++) for (const way of WAYS) await measure(way, ways[way]);
}

async function latencies(ways: Record<Way, Endpoint>): Promise<Record<Way, Summary>> {
  for (const way of WAYS) await openLoop(ways[way], RATE, WARM_MS);
  const samples: Record<Way, number[]> = { direct: [], bare: [], gateway: [], root: [] };
  await interleaved(ways, async (way, target) => {
    const run = await openLoop(target, RATE, MEASURE_MS / ROUNDS);
    samples[way].push(...run.latencies);
    lateness.push(...run.lateness);
    if (run.failures > 0) problems.push(`${way}: ${run.failures} failed requests at ${RATE}/s`);
  });
  return {
    direct: summarize(samples.direct),
    bare: summarize(samples.bare),
    gateway: summarize(samples.gateway),
    root: summarize(samples.root),
  };
}

/** Whose CPU serves each way: the upstream's process; the bare proxy's; the broker's and Redis's. */
const servers: Record<Way, number[]> = {
  direct: [stack.host.pid],
  bare: [stack.bare!.pid],
  gateway: [stack.gateway.pid, redis],
  root: [stack.gateway.pid, redis],
};

/** Peak throughput of each way, and the CPU µs its servers spent per request. */
async function peaks(ways: Record<Way, Endpoint>) {
  const totals = Object.fromEntries(
    WAYS.map((way) => [way, { requests: 0, cpu: servers[way].map(() => 0) }]),
  );
  for (const way of WAYS) await closedLoop(ways[way], CLIENTS, 1000);
  await interleaved(ways, async (way, target) => {
    const before = servers[way].map(cpuSeconds);
    const run = await closedLoop(target, CLIENTS, PEAK_MS / ROUNDS);
    const total = totals[way]!;
    total.requests += (run.perSecond * PEAK_MS) / ROUNDS / 1000;
    for (const [i, pid] of servers[way].entries()) total.cpu[i]! += cpuSeconds(pid) - before[i]!;
    if (run.failures > 0) problems.push(`${way}: ${run.failures} failed requests at peak`);
  });
  const result = (way: Way) => ({
    perSecond: totals[way]!.requests / (PEAK_MS / 1000),
    cpuUs: totals[way]!.cpu.map((seconds) => (seconds / totals[way]!.requests) * 1e6),
  });
  return { direct: result("direct"), bare: result("bare"), gateway: result("gateway"), root: result("root") };
}

const figures: Record<string, unknown> = {};
const gatewaySent: Record<string, number> = {};
for (const [cluster, label] of UPSTREAMS) {
  const ways = endpointsFor(cluster);
  const lat = await latencies(ways);
  const { direct, bare, gateway, root } = await peaks(ways);
  gatewaySent[info.grants[cluster].id] = ways.gateway.sent + ways.root.sent;
  const added = (base: Summary) => ({ p50: lat.gateway.p50 - base.p50, p99: lat.gateway.p99 - base.p99 });
  const overDirect = added(lat.direct);
  const overBare = added(lat.bare);
  const gatewayCpu = gateway.cpuUs[0]! + gateway.cpuUs[1]!;
  const rootCpu = root.cpuUs[0]! + root.cpuUs[1]!;
  const plus = (v: number) => `${v < 0 ? "" : "+"}${v.toFixed(2)} ms`;
  const rows: Row[] = [
    ...WAYS.map((way) => ({
      what: `${LABELS[way]} @ ${RATE}/s`,
      p50: ms(lat[way].p50),
      p99: ms(lat[way].p99),
      ratio: times(lat[way].p50 / lat.direct.p50),
    })),
    {
      what: "gateway added over direct",
      p50: plus(overDirect.p50),
      p99: plus(overDirect.p99),
      target: "≤ 1 / ≤ 5 ms",
    },
    { what: "gateway added over bare proxy", p50: plus(overBare.p50), p99: plus(overBare.p99) },
    { what: `peak direct (${CLIENTS} clients)`, p50: `${Math.round(direct.perSecond)} req/s` },
    { what: `peak bare proxy`, p50: `${Math.round(bare.perSecond)} req/s`, ratio: "1.00×" },
    {
      what: "peak gateway",
      p50: `${Math.round(gateway.perSecond)} req/s`,
      target: "≥ 0.70× bare",
      ratio: times(gateway.perSecond / bare.perSecond),
    },
    { what: "CPU/request, bare proxy process", p50: `${Math.round(bare.cpuUs[0]!)} µs`, ratio: "1.00×" },
    {
      what: "CPU/request, broker + Redis",
      p50: `${Math.round(gateway.cpuUs[0]!)} + ${Math.round(gateway.cpuUs[1]!)} µs`,
      ratio: times(gatewayCpu / bare.cpuUs[0]!),
    },
    {
      what: "prefix-free address: peak",
      p50: `${Math.round(root.perSecond)} req/s`,
      target: "= /clusters/<name>",
      ratio: `${times(root.perSecond / gateway.perSecond)} of /clusters`,
    },
    {
      what: "prefix-free address: CPU/request",
      p50: `${Math.round(root.cpuUs[0]!)} + ${Math.round(root.cpuUs[1]!)} µs`,
      ratio: `${times(rootCpu / gatewayCpu)} of /clusters`,
    },
  ];
  printTable(`gateway, ${label}: GET ${CHEAP_PATH}`, rows);
  const pick = (s: Summary) => ({ p50: round(s.p50, 3), p99: round(s.p99, 3) });
  figures[cluster] = {
    direct: pick(lat.direct),
    bare: pick(lat.bare),
    gateway: pick(lat.gateway),
    prefixFree: pick(lat.root),
    addedOverDirect: pick(overDirect as Summary),
    addedOverBare: pick(overBare as Summary),
    peak: {
      direct: Math.round(direct.perSecond),
      bare: Math.round(bare.perSecond),
      gateway: Math.round(gateway.perSecond),
      prefixFree: Math.round(root.perSecond),
      ratio: round(gateway.perSecond / bare.perSecond),
      prefixFreeRatio: round(root.perSecond / gateway.perSecond),
    },
    cpuUsPerRequest: {
      bare: round(bare.cpuUs[0]!, 1),
      broker: round(gateway.cpuUs[0]!, 1),
      redis: round(gateway.cpuUs[1]!, 1),
      prefixFree: round(rootCpu, 1),
    },
  };
}

// (c) One end record per gateway request, and one start record (fail-closed: written first).
// End records are written after the answer, so give the last ones a moment.
let audit: Awaited<ReturnType<typeof countRequestRecords>> = {};
for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
  audit = await countRequestRecords(info.redis, Object.keys(gatewaySent));
  if (Object.entries(gatewaySent).every(([id, n]) => audit[id]!.end >= n)) break;
  await new Promise((resolve) => setTimeout(resolve, 500));
}
console.log("\naudit stream check (fail-closed):");
for (const [id, n] of Object.entries(gatewaySent)) {
  const { start, end } = audit[id]!;
  const ok = start === n && end === n;
  console.log(
    `  grant ${id}: ${n} gateway requests, ${start} start and ${end} end records ${ok ? "✓" : "✗"}`,
  );
  if (!ok) problems.push(`grant ${id}: ${n} requests but ${start} start / ${end} end records`);
}
const late = summarize(lateness);
console.log(
  `\nmachine: ${availableParallelism()} cores shared by the load generator, upstreams, Redis and the proxy under test`,
);
console.log(`load generator lateness against its schedule: p50 ${ms(late.p50)}, p99 ${ms(late.p99)}`);
for (const problem of problems) console.log(`PROBLEM ${problem}`);
printResult("gateway", {
  cores: availableParallelism(),
  rate: RATE,
  secondsPerVariant: MEASURE_MS / 1000,
  clients: CLIENTS,
  ...figures,
  audit: Object.fromEntries(
    Object.entries(gatewaySent).map(([id, n]) => [id, { requests: n, ...audit[id] }]),
  ),
});
await stack.close();
process.exit(problems.length > 0 ? 1 : 0);
