import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { CliError } from "../cli-error.ts";

/**
 * A lock file made with open(O_CREAT|O_EXCL): whoever creates it holds the lock. It records
 * the holder's pid and host, and the holder touches it every few seconds, so a lock left by a
 * crashed process is taken over: at once when its pid is gone (same host), or once it has not
 * been touched for `staleMs`. Takeover renames the stale file aside and checks it moved the
 * file it judged, so two waiters cannot both take over and throw out a fresh holder.
 * Its times are the system's (Date.now), not an injected clock: staleness is judged against
 * the file's mtime, which only the system clock sets.
 */
export interface LockOptions {
  /** How long to wait for a live holder before giving up. */
  timeoutMs: number;
  staleMs?: number;
  pollMs?: number;
  /**
   * Called once if the lock is busy, to tell the person why nothing happens (a progress line);
   * what it returns is told when the wait ends, the lock taken or given up on.
   */
  onWait?: () => { done(): void } | undefined;
}

export interface HeldLock {
  release(): void;
}

const DEFAULT_STALE_MS = 30_000;

export async function acquireLock(path: string, options: LockOptions): Promise<HeldLock> {
  const now = Date.now;
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const owner = JSON.stringify({
    pid: process.pid,
    host: hostname(),
    id: Math.random().toString(36).slice(2),
  });
  const deadline = now() + options.timeoutMs;
  let waited = false;
  let waiting: { done(): void } | undefined;
  try {
    while (!tryCreate(path, owner)) {
      if (takeOverIfStale(path, staleMs, now())) continue;
      if (now() > deadline) {
        throw new CliError(
          `gave up after ${Math.round(options.timeoutMs / 1000)}s waiting for another kubectl-broker process (lock ${path}); if none is running, delete that file`,
        );
      }
      if (!waited) waiting = options.onWait?.();
      waited = true;
      await sleep(options.pollMs ?? 40);
    }
  } finally {
    waiting?.done();
  }
  const touch = setInterval(() => {
    try {
      const at = new Date();
      utimesSync(path, at, at);
    } catch {
      // Taken over or removed: release() will notice and leave the new holder alone.
    }
  }, staleMs / 3);
  touch.unref();
  return {
    release() {
      clearInterval(touch);
      if (readOrEmpty(path) === owner) rmSync(path, { force: true });
    },
  };
}

function tryCreate(path: string, owner: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    writeSync(fd, owner);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** True when the lock file is gone or was stale and has been removed: try again at once. */
function takeOverIfStale(path: string, staleMs: number, now: number): boolean {
  let content: string;
  let touchedAt: number;
  try {
    touchedAt = statSync(path).mtimeMs;
    content = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw err;
  }
  if (!isStale(content, touchedAt, staleMs, now)) return false;
  const aside = `${path}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw err;
  }
  // Between our read and the rename, another waiter may have taken over and a new holder
  // created the file: that one is live, so it goes back (link fails if the path is taken).
  if (readOrEmpty(aside) !== content) {
    try {
      linkSync(aside, path);
    } catch {
      // Someone holds the path already; our waiting loop carries on.
    }
  }
  rmSync(aside, { force: true });
  return true;
}

export function isStale(content: string, touchedAt: number, staleMs: number, now: number): boolean {
  if (now - touchedAt > staleMs) return true;
  let owner: { pid?: unknown; host?: unknown };
  try {
    owner = JSON.parse(content) as typeof owner;
  } catch {
    return false; // Being written right now, or damaged: age decides.
  }
  return owner.host === hostname() && typeof owner.pid === "number" && !isAlive(owner.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
