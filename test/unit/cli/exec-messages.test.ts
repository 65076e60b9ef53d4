import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ExecMessages } from "../../../src/cli/cache/exec-messages.ts";

const dir = mkdtempSync(join(tmpdir(), "kb-told-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("what the exec plugin told each kubectl process", () => {
  const line = "kubectl-broker: your grant g1 for this access ended; ask for it with kubectl broker request";
  const now = Date.parse("2026-01-01T10:00:00Z");

  it("tells a kubectl process a line once; another process, or another line, is told", () => {
    const told = new ExecMessages(join(dir, "a"));
    assert.equal(told.firstTime(100, line, now), true);
    assert.equal(told.firstTime(100, line, now + 50), false, "kubectl's retry: not again");
    assert.equal(new ExecMessages(join(dir, "a")).firstTime(100, line, now + 900), false, "across processes");
    assert.equal(told.firstTime(200, line, now + 1000), true, "another kubectl");
    assert.equal(told.firstTime(100, "kubectl-broker: something else", now + 1000), true);
    assert.equal(statSync(join(dir, "a")).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, "a", "exec-messages.json")).mode & 0o777, 0o600);
  });

  it("forgets after a minute (a pid is reused, a long-lived kubectl fails again later)", () => {
    const told = new ExecMessages(join(dir, "b"));
    assert.equal(told.firstTime(100, line, now), true);
    assert.equal(told.firstTime(100, line, now + 59_000), false);
    assert.equal(told.firstTime(100, line, now + 61_000), true);
    const kept = JSON.parse(readFileSync(join(dir, "b", "exec-messages.json"), "utf8")) as unknown[];
    assert.equal(kept.length, 1, "old entries are dropped");
  });

  it("a damaged file only means telling again", () => {
    const told = new ExecMessages(join(dir, "c"));
    assert.equal(told.firstTime(100, line, now), true);
    writeFileSync(join(dir, "c", "exec-messages.json"), "{not json");
    assert.equal(told.firstTime(100, line, now + 10), true);
    assert.equal(told.firstTime(100, line, now + 20), false);
  });
});
