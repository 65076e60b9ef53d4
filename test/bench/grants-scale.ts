/**
 * Thousands of grants (issue 21): a reconcile pass at 5,000 and 10,000 active grants (how long
 * it takes, and the longest the event loop stood still meanwhile), and 5,000 grants falling
 * due at once (how long until every one is gone from the cluster, and how late a grant that
 * falls due a second into it ends). The API stand-in runs in a process of its own, so the
 * event-loop figures are the broker's alone; Redis runs apart too.
 * Run: npx node test/bench/grants-scale.ts   (about 2 minutes; BENCH_GRANTS sets the largest
 * count, default 10000)
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { startRedis } from "../../tools/redis/redis-server.ts";
import { JumpClock } from "../support/fakes/jump-clock.ts";
import { testConfig } from "../support/fakes/test-config.ts";
import { GRANTS_NAMESPACE, grantsFeature, viewGrant } from "../support/grants.ts";
import { printResult, printTable } from "./support/report.ts";

const LARGEST = Number(process.env.BENCH_GRANTS ?? 10_000);
const MASS = LARGEST / 2;
const CREATE_CONCURRENCY = 16;
const TARGET = { stallMs: 20, massSeconds: 10, lateMs: 2000 };

const dir = await mkdtemp(join(tmpdir(), "kb-bench-grants-scale-"));
const standIn: ChildProcess = spawn(
  process.execPath,
  [join(import.meta.dirname, "../../tools/stand-in/cli.ts"), "--port", "0", "--out", dir],
  { stdio: ["ignore", "pipe", "ignore"] },
);
process.once("exit", () => standIn.kill("SIGKILL"));
// The stand-in prints its URL once it serves (and its kubeconfig is written).
await once(createInterface({ input: standIn.stdout! }), "line");
const kubeconfig = join(dir, "admin.kubeconfig");
execFileSync("kubectl", ["--kubeconfig", kubeconfig, "create", "namespace", GRANTS_NAMESPACE], {
  stdio: "ignore",
});

const redis = await startRedis();
const clock = new JumpClock();
const config = testConfig({ clusters: [{ name: "test", auth: { kind: "kubeconfig", file: kubeconfig } }] });
const { grants, reconciler, expiry, store, api } = grantsFeature(config, redis, { clock });

const ask = (ttlSeconds: number) => viewGrant({ ttlSeconds, reason: "benchmark" });

async function createMany(count: number, ttlSeconds: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CREATE_CONCURRENCY }, async () => {
      while (next++ < count) await grants.create(ask(ttlSeconds));
    }),
  );
}

/** A reconcile pass: its time, and the longest event-loop delay seen meanwhile. */
async function reconcile(): Promise<{ seconds: number; stallMs: number; objects: number }> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const started = performance.now();
  const report = await reconciler.runOnce();
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  if (report.deletedObjects + report.endedGrants > 0)
    throw new Error(`reconcile changed things: ${JSON.stringify(report)}`);
  const objects = (await api.listManaged(GRANTS_NAMESPACE)).length;
  return { seconds, stallMs: delay.max / 1e6, objects };
}

const passes: { grants: number; seconds: number; stallMs: number; objects: number }[] = [];
// The mass that will fall due together first (short deadline), then the rest (long).
await createMany(MASS, 600);
passes.push({ grants: MASS, ...(await reconcile()) });
await createMany(LARGEST - MASS, 7200);
passes.push({ grants: LARGEST, ...(await reconcile()) });

// One more grant, due a second after the mass.
const late = await grants.create(ask(602));
clock.jump(601_000);
const started = performance.now();
expiry.start();
let massSeconds = Number.NaN;
// A grant ends only once its objects are deleted: the store's count says when the mass is
// gone (listing 20,000 objects over and over would be the load), the cluster confirms it.
for (;;) {
  const open = await store.countOpen();
  if (open <= LARGEST - MASS) {
    massSeconds = (performance.now() - started) / 1000;
    break;
  }
  if (performance.now() - started > 120_000)
    throw new Error(`${open - (LARGEST - MASS)} of the mass still open`);
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const accountsLeft = (await api.listManaged(GRANTS_NAMESPACE)).filter(
  (o) => o.kind === "ServiceAccount",
).length;
if (accountsLeft !== LARGEST - MASS)
  throw new Error(`${accountsLeft} ServiceAccounts left, not ${LARGEST - MASS}`);
let lateEnd = await store.get(late.id);
for (let waited = 0; lateEnd?.state !== "ended" && waited < 30_000; waited += 50) {
  await new Promise((resolve) => setTimeout(resolve, 50));
  lateEnd = await store.get(late.id);
}
await expiry.stop();
const lateMs = lateEnd?.endedAt === undefined ? Number.NaN : lateEnd.endedAt - late.expiresAt;

printTable(
  `grants against the API stand-in (a process of its own), ${LARGEST.toLocaleString("en")} at most`,
  [
    ...passes.map((p) => ({
      what: `reconcile pass, ${p.grants.toLocaleString("en")} active grants (${p.objects.toLocaleString("en")} objects)`,
      p50: `${p.seconds.toFixed(2)} s`,
      p99: `${p.stallMs.toFixed(1)} ms`,
      target: `stall ≤ ${TARGET.stallMs} ms`,
    })),
    {
      what: `${MASS.toLocaleString("en")} grants due at once: all gone from the cluster`,
      p50: `${massSeconds.toFixed(1)} s`,
      target: `≤ ${TARGET.massSeconds} s`,
    },
    {
      what: "a grant due a second into it: ended after its deadline",
      p50: `${lateMs.toFixed(0)} ms`,
      target: `≤ ${TARGET.lateMs} ms`,
    },
  ],
  { what: "what", p50: "time", p99: "longest event-loop stall", target: "target", ratio: "" },
);
const scaling = passes[1]!.seconds / passes[0]!.seconds;
console.log(`reconcile time, ${LARGEST} against ${MASS} grants: ${scaling.toFixed(2)}× (linear: 2×)`);
printResult("grants-scale", {
  passes,
  scaling,
  mass: { grants: MASS, seconds: massSeconds },
  lateMs,
  met:
    passes.every((p) => p.stallMs <= TARGET.stallMs) &&
    massSeconds <= TARGET.massSeconds &&
    lateMs <= TARGET.lateMs,
});
await redis.close();
standIn.kill();
await rm(dir, { recursive: true, force: true });
process.exit(0);
