/**
 * The broker's memory and 1,000 open watches through it (DESIGN.md "Performance targets",
 * issues 6 and 21): its resident memory just started, at its peak under GET load, with the
 * watches open and while their events flow, and how late each event reaches each watcher
 * while pods are created at a steady rate. Baselines from the same run: the same load and
 * watches through a bare http-proxy, and the watches straight to the API stand-in. Each
 * proxy runs alone in its own process (the broker with the image's Node flags), so its RSS,
 * read from /proc, is its own: the whole process (V8 heap, TLS and socket buffers, both
 * halves of each proxied watch). Event delay runs from a timestamp
 * the stand-in's process puts on each pod just before creating it to the event's arrival
 * in this process (both read the same clock); this process reads all 1,000 watches, so it
 * shares in every figure, the baselines included.
 * Run: npx node test/bench/watches.ts   (about 3.5 minutes; BENCH_SECONDS of pod creation)
 */
import { availableParallelism } from "node:os";
import { startBenchStack } from "./support/bench-stack.ts";
import { closedLoop, endpoint } from "./support/load.ts";
import { residentBytes } from "./support/proc.ts";
import { mb, ms, printResult, printTable, times } from "./support/report.ts";
import { round, type Summary, summarize } from "./support/stats.ts";
import { openWatches } from "./support/watch-client.ts";

const WATCHES = 1000;
const PODS_PER_SECOND = 10;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const PODS = PODS_PER_SECOND * SECONDS;
const PODS_PATH = "/api/v1/namespaces/team-a/pods";
/** timeoutSeconds of each watch (client-go sends one too): long enough for a variant's run. */
const WATCH_SECONDS = SECONDS + 30;
/** How long each proxy serves GET load before the watches (8 clients, closed loop). */
const LOAD_MS = 10_000;
/** Issue 21's memory targets: RSS idle, and against a bare proxy's under the same work. */
const IDLE_TARGET_MB = 120;
const RATIO_TARGET = 1.2;

const stack = await startBenchStack({ bareProxy: true });
const { info, host } = stack;
const grant = info.grants.test;
const ca = [info.caCert, info.upstreams.test.caCert];
const problems: string[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Memory {
  before: number;
  open: number;
  peak: number;
}

/**
 * Opens the watches, creates the pods, waits for every event. With `pid`, samples that
 * process's RSS before the watches, once they are all open, and while events flow.
 */
async function run(label: string, base: string, token: string, pid?: number, atOpen?: () => Promise<void>) {
  const memory: Memory = { before: pid ? residentBytes(pid).rss : 0, open: 0, peak: 0 };
  const sample = () => {
    if (pid) memory.peak = Math.max(memory.peak, residentBytes(pid).rss);
  };
  const revision = await host.call<number>("revision");
  const url = `${base}${PODS_PATH}?watch=true&resourceVersion=${revision}&timeoutSeconds=${WATCH_SECONDS}`;
  const endsAt = Date.now() + WATCH_SECONDS * 1000;
  const watches = await openWatches(url, token, ca, WATCHES);
  // One unstamped pod first: once every watch has seen it, all are open end to end.
  await host.call("createPods", { prefix: `${label}-ready`, count: 1, perSecond: 1, stamp: false });
  await watches.ready(30_000);
  await sleep(1000);
  memory.open = pid ? residentBytes(pid).rss : 0;
  await atOpen?.();
  const sampler = setInterval(sample, 250);
  await host.call("createPods", { prefix: label, count: PODS, perSecond: PODS_PER_SECOND });
  const expected = PODS * WATCHES;
  for (const deadline = Date.now() + 10_000; watches.delays.length < expected && Date.now() < deadline; )
    await sleep(100);
  clearInterval(sampler);
  sample();
  if (watches.delays.length !== expected)
    problems.push(`${label}: ${watches.delays.length} of ${expected} events arrived`);
  watches.close();
  // A proxy keeps the upstream half of a watch open after its client left (http-proxy does,
  // and so does the gateway built on it); let the stand-in end them before the next variant.
  await sleep(Math.max(0, endsAt - Date.now() + 1000));
  return { delay: summarize(watches.delays), memory };
}

/** Each proxy's RSS at its highest while `work` runs (sampled every 250 ms). */
async function peakRss<T>(pid: number, work: () => Promise<T>): Promise<number> {
  let peak = residentBytes(pid).rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, residentBytes(pid).rss);
  }, 250);
  await work();
  clearInterval(sampler);
  return Math.max(peak, residentBytes(pid).rss);
}

// The broker just started, before any request: what it costs to run at all.
const idleRss = residentBytes(stack.gateway.pid).rss;
// Then the same request load through each proxy (for the broker also its warm-up: token
// keys, the grant, its API token, JIT), and both left idle.
const loaded = {
  gateway: await peakRss(stack.gateway.pid, () =>
    closedLoop(endpoint(`${stack.gateway.url}/clusters/test${PODS_PATH}`, grant.token, ca), 8, LOAD_MS),
  ),
  bare: await peakRss(stack.bare!.pid, () =>
    closedLoop(endpoint(`${stack.bare!.url}/clusters/test${PODS_PATH}`, grant.apiToken, ca), 8, LOAD_MS),
  ),
};
await sleep(2000);

const direct = await run("direct", info.upstreams.test.url, grant.apiToken);
const bare = await run("bare", `${stack.bare!.url}/clusters/test`, grant.apiToken, stack.bare!.pid);
// Where the broker's memory is with the watches open: V8's heap, or native (TLS, sockets).
let heap: NodeJS.MemoryUsage | undefined;
const gateway = await run(
  "gateway",
  `${stack.gateway.url}/clusters/test`,
  grant.token,
  stack.gateway.pid,
  async () => {
    heap = await stack.broker.call<NodeJS.MemoryUsage>("memory");
  },
);
const perWatch = (m: Memory) => (m.open - m.before) / WATCHES;
/** The broker's RSS and the bare proxy's at the same point, and their ratio against the target. */
const against = (what: string, broker: number, bareRss: number) => [
  { what: `bare proxy RSS, ${what}`, p50: mb(bareRss), ratio: "1.00×" },
  {
    what: `broker RSS, ${what}`,
    p50: mb(broker),
    target: `≤ ${RATIO_TARGET.toFixed(2)}×`,
    ratio: times(broker / bareRss),
  },
];

printTable(`${WATCHES} watches on team-a's pods, ${PODS} pods created at ${PODS_PER_SECOND}/s`, [
  ...(
    [
      ["direct to the stand-in", direct],
      ["through a bare http-proxy", bare],
      ["through the gateway", gateway],
    ] as const
  ).map(([way, { delay }]) => ({
    what: `event delay, ${way}`,
    p50: ms(delay.p50),
    p99: ms(delay.p99),
    target: `max ${ms(delay.max)}`,
    ratio: times(delay.p50 / direct.delay.p50),
  })),
  {
    what: "event delay p99, gateway against bare proxy",
    p50: "",
    target: `≤ ${RATIO_TARGET.toFixed(2)}×`,
    ratio: times(gateway.delay.p99 / bare.delay.p99),
  },
  { what: "broker RSS, just started", p50: mb(idleRss), target: `≤ ${IDLE_TARGET_MB} MB` },
  ...against("peak under GET load (8 clients, 10 s)", loaded.gateway, loaded.bare),
  ...against("1,000 watches open", gateway.memory.open, bare.memory.open),
  ...against("peak while events flow", gateway.memory.peak, bare.memory.peak),
  {
    what: "broker V8 heap used / total, watches open",
    p50: `${mb(heap!.heapUsed)} / ${mb(heap!.heapTotal)}`,
  },
  {
    what: "memory per watch, bare proxy",
    p50: `${(perWatch(bare.memory) / 1024).toFixed(1)} KB`,
    ratio: "1.00×",
  },
  {
    what: "memory per watch, gateway",
    p50: `${(perWatch(gateway.memory) / 1024).toFixed(1)} KB`,
    ratio: times(perWatch(gateway.memory) / perWatch(bare.memory)),
  },
]);
console.log(
  `\nmachine: ${availableParallelism()} cores shared by the watchers, the proxies, Redis and the stand-in`,
);
console.log("event delay: from the pod's creation in the stand-in's process to its arrival here, per watch");
for (const problem of problems) console.log(`PROBLEM ${problem}`);
const pick = (s: Summary) => ({ p50: round(s.p50), p99: round(s.p99), max: round(s.max) });
const inMB = (m: Memory) => ({
  before: round(m.before / 2 ** 20, 1),
  open: round(m.open / 2 ** 20, 1),
  peak: round(m.peak / 2 ** 20, 1),
});
printResult("watches", {
  cores: availableParallelism(),
  watches: WATCHES,
  pods: PODS,
  podsPerSecond: PODS_PER_SECOND,
  delayMs: { direct: pick(direct.delay), bare: pick(bare.delay), gateway: pick(gateway.delay) },
  rssMB: {
    broker: {
      idle: round(idleRss / 2 ** 20, 1),
      loaded: round(loaded.gateway / 2 ** 20, 1),
      ...inMB(gateway.memory),
    },
    bare: { loaded: round(loaded.bare / 2 ** 20, 1), ...inMB(bare.memory) },
  },
  brokerHeapMB: {
    used: round(heap!.heapUsed / 2 ** 20, 1),
    total: round(heap!.heapTotal / 2 ** 20, 1),
    external: round(heap!.external / 2 ** 20, 1),
  },
});
await stack.close();
process.exit(problems.length > 0 ? 1 : 0);
