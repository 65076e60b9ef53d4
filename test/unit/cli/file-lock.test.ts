import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { acquireLock, isStale } from "../../../src/cli/cache/file-lock.ts";

const dir = mkdtempSync(join(tmpdir(), "kb-lock-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const lockPath = () => join(dir, `test-${n++}.lock`);

/** A pid that is certainly not running: a child that has already exited. */
const deadPid = () => spawnSync(process.execPath, ["-e", "0"]).pid!;

describe("the file lock", () => {
  it("lets one holder in at a time; the next gets in when it is released", async () => {
    const path = lockPath();
    const first = await acquireLock(path, { timeoutMs: 1000 });
    const wait = { started: 0, ended: 0 };
    const onWait = () => {
      wait.started++;
      return { done: () => wait.ended++ };
    };
    const second = acquireLock(path, { timeoutMs: 5000, pollMs: 5, onWait });
    await sleep(50);
    assert.deepEqual(wait, { started: 1, ended: 0 }, "told once that it waits, and still waiting");
    first.release();
    (await second).release();
    assert.deepEqual(wait, { started: 1, ended: 1 }, "told that the wait is over");
    assert.equal(existsSync(path), false);
  });

  it("tells that the wait is over when it gives up, too; a free lock is no wait at all", async () => {
    const path = lockPath();
    let ended = 0;
    const onWait = () => ({ done: () => ended++ });
    writeFileSync(path, JSON.stringify({ pid: process.pid, host: hostname(), id: "x" }));
    await assert.rejects(acquireLock(path, { timeoutMs: 50, pollMs: 5, onWait }), /gave up/);
    assert.equal(ended, 1);
    rmSync(path);
    let started = 0;
    const free = await acquireLock(path, {
      timeoutMs: 50,
      onWait: () => {
        started++;
        return undefined;
      },
    });
    free.release();
    assert.equal(started, 0);
  });

  it("keeps a critical section to one at a time among many waiters", async () => {
    const path = lockPath();
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const lock = await acquireLock(path, { timeoutMs: 10_000, pollMs: 2 });
        inside++;
        most = Math.max(most, inside);
        await sleep(2);
        inside--;
        lock.release();
      }),
    );
    assert.equal(most, 1);
  });

  it("takes over at once a lock whose holder died on this host", async () => {
    const path = lockPath();
    writeFileSync(path, JSON.stringify({ pid: deadPid(), host: hostname(), id: "x" }));
    const started = Date.now();
    (await acquireLock(path, { timeoutMs: 1000 })).release();
    assert.ok(Date.now() - started < 500);
  });

  it("takes over a lock nobody has touched for staleMs (a holder on another host, or hung)", async () => {
    const path = lockPath();
    writeFileSync(path, JSON.stringify({ pid: process.pid, host: "elsewhere", id: "x" }));
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    (await acquireLock(path, { timeoutMs: 1000, staleMs: 30_000 })).release();
  });

  it("waits for a live holder and gives up with a clear message", async () => {
    const path = lockPath();
    writeFileSync(path, JSON.stringify({ pid: process.pid, host: hostname(), id: "x" }));
    await assert.rejects(
      acquireLock(path, { timeoutMs: 100, pollMs: 10 }),
      /gave up after 0s waiting for another kubectl-broker process \(lock .*\); if none is running, delete that file/,
    );
    assert.ok(existsSync(path), "a live holder's lock stays");
  });

  it("release leaves alone a lock that was taken over meanwhile", async () => {
    const path = lockPath();
    const held = await acquireLock(path, { timeoutMs: 1000 });
    writeFileSync(path, "someone else");
    held.release();
    assert.equal(readFileSync(path, "utf8"), "someone else");
  });

  it("judges staleness by age, then by the holder's pid on this host", () => {
    const now = Date.now();
    const live = JSON.stringify({ pid: process.pid, host: hostname() });
    assert.equal(isStale(live, now, 30_000, now), false);
    assert.equal(isStale(live, now - 31_000, 30_000, now), true);
    assert.equal(isStale(JSON.stringify({ pid: deadPid(), host: hostname() }), now, 30_000, now), true);
    assert.equal(isStale(JSON.stringify({ pid: deadPid(), host: "elsewhere" }), now, 30_000, now), false);
    assert.equal(isStale("", now, 30_000, now), false, "being written: not stale until old");
  });
});
