/**
 * `npm test` (and the tier scripts): every test file of the tiers named, in two passes.
 *
 * Most files run four at a time. The suites that start several broker processes and Redis
 * topologies, or stall and kill Redis, and then measure real time (a watch cut within a
 * second of a revoke on another replica, a grant ended within 2 s of a failover, no request
 * held past its bound while Redis is paused) run afterwards, one file at a time: on a
 * 2-core machine, sharing the cores with three other files (a headless Chromium among them)
 * measures the machine, not the broker. A new folder joins the parallel pass by itself.
 *
 * Usage: node scripts/run-tests.ts unit integration e2e
 */
import { spawnSync } from "node:child_process";
import { globSync } from "node:fs";

const SERIAL = [
  "test/e2e/replicas/",
  "test/e2e/topologies/",
  // Redis paused or killed under load, with bounds on how long a request may be held.
  "test/e2e/gateway/redis-stall",
  "test/e2e/gateway/audit-outage",
  // The Cluster and Sentinel harnesses' own failovers.
  "test/integration/tools/",
];
const tiers = process.argv.slice(2);
if (tiers.length === 0) throw new Error("name the tiers to run: unit, integration, e2e");

const files = tiers.flatMap((tier) => globSync(`test/${tier}/**/*.test.ts`)).sort();
const serial = files.filter((file) => SERIAL.some((folder) => file.startsWith(folder)));
const parallel = files.filter((file) => !serial.includes(file));

let failed = false;
for (const [group, concurrency] of [
  [parallel, 4],
  [serial, 1],
] as const) {
  if (group.length === 0) continue;
  const run = spawnSync(
    process.execPath,
    // --test-force-exit: a file whose tests have all ended exits even if something it
    // started still holds its event loop, so one leak fails that file instead of the run.
    ["--test", `--test-concurrency=${concurrency}`, "--test-timeout=300000", "--test-force-exit", ...group],
    { stdio: "inherit" },
  );
  if (run.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
