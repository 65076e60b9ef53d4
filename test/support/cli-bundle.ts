/**
 * The shipped CLI (dist/kubectl-broker.js), never stale: tests that run it get a bundle built
 * from the sources they are testing. `npm test` and `npm run test:e2e` build first, so this
 * rebuilds only when a single test file is run after an edit. Parallel test processes take
 * turns through a lock directory, and the one that gets it rechecks before building.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
export const BUNDLE = join(ROOT, "dist/kubectl-broker.js");
const LOCK = join(ROOT, "dist/.build-lock");
/** What the bundle is made of: newer than the bundle means it is stale. */
const SOURCES = ["src", "scripts/build.ts", "package.json"];

export function freshCliBundle(): string {
  if (isFresh()) return BUNDLE;
  withLock(() => {
    if (!isFresh()) execFileSync(process.execPath, [join(ROOT, "scripts/build.ts")], { stdio: "inherit" });
  });
  return BUNDLE;
}

function isFresh(): boolean {
  const built = mtime(BUNDLE);
  return built !== undefined && SOURCES.every((source) => newest(join(ROOT, source)) <= built);
}

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

function mtime(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function withLock(work: () => void): void {
  mkdirSync(join(ROOT, "dist"), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      // A lock older than any build is left by a killed process.
      if (Date.now() - (mtime(LOCK) ?? Date.now()) > 120_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited 2 minutes for ${LOCK}; delete it if no build runs`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
