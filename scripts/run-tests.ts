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

/**
 * Each pass ends within this, whatever hangs: a file whose process something it started keeps
 * alive would otherwise hold the run until CI's own limit and say nothing. A whole pass takes
 * some 5 minutes.
 */
const PASS_LIMIT_MS = 35 * 60_000;

let failed = false;
for (const [group, concurrency] of [
  [parallel, 4],
  [serial, 1],
] as const) {
  if (group.length === 0) continue;
  const run = spawnSync(
    process.execPath,
    // Not --test-force-exit: it ends a file's process while the test events it wrote to the
    // runner's pipe may still be in flight, and the runner then counts only what arrived (a
    // CI run lost 43 tests that way, silently). A file that leaks stays a file that hangs.
    ["--test", `--test-concurrency=${concurrency}`, "--test-timeout=300000", ...group],
    { stdio: "inherit", timeout: PASS_LIMIT_MS, killSignal: "SIGKILL" },
  );
  if (run.error || run.signal) {
    console.error(
      `\nrun-tests: the pass of ${group.length} files did not end within ${PASS_LIMIT_MS / 60_000} minutes and was stopped: a test file hangs (look for the one whose results stop)`,
    );
  }
  if (run.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
