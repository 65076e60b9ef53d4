import assert from "node:assert/strict";
import { appendFile, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Spool } from "../../../src/audit/write/spool.ts";
import { requestRecord, tempDir } from "../../support/audit-fixtures.ts";

const line = (s: number) => ({ w: "writer-a", s, r: requestRecord({ id: `spooled-${s}` }) });

describe("audit spool file", () => {
  it("keeps lines across reopen and drops a line cut short by a crash", async () => {
    const path = join(await tempDir(), "nested", "spool.jsonl");
    const spool = new Spool({ path, maxBytes: 1 << 20 });
    await spool.open();
    assert.equal(await spool.append([line(1), line(2)]), 2);
    await spool.close();
    const intact = (await stat(path)).size;
    await appendFile(path, '{"w":"writer-a","s":3,"r":{"type":"requ');

    const reopened = new Spool({ path, maxBytes: 1 << 20 });
    await reopened.open();
    assert.equal(reopened.bytes, intact);
    assert.equal(reopened.pendingRecords, 2);
    await reopened.append([line(4)]);
    const { lines, corrupt } = await reopened.peek(10);
    assert.equal(corrupt, 0);
    assert.deepEqual(
      lines.map((l) => l.line?.r.id),
      ["spooled-1", "spooled-2", "spooled-4"],
    );
    assert.equal((await stat(path)).mode & 0o777, 0o600, "audit data is private to the broker");
    await reopened.close();
  });

  it("takes only what fits under maxBytes, in order", async () => {
    const path = join(await tempDir(), "spool.jsonl");
    const one = Buffer.byteLength(`${JSON.stringify(line(1))}\n`);
    const spool = new Spool({ path, maxBytes: one * 2 + 10 });
    await spool.open();
    assert.equal(await spool.append([line(1), line(2), line(3)]), 2);
    assert.equal(await spool.append([line(4)]), 0);
    assert.ok((await stat(path)).size <= one * 2 + 10);
    await spool.close();
  });

  it("reads forward from what was replayed, passes over unreadable lines, and empties", async () => {
    const path = join(await tempDir(), "spool.jsonl");
    const spool = new Spool({ path, maxBytes: 1 << 20 });
    await spool.open();
    await spool.append([line(1)]);
    await appendFile(path, "not json\n");
    await spool.close();
    await spool.open();
    await spool.append([line(2)]);
    const first = await spool.peek(1);
    assert.equal(first.lines[0]!.line?.s, 1);
    spool.markReplayed(1, first.lines[0]!.bytes);
    const rest = await spool.peek(10);
    assert.equal(rest.corrupt, 1);
    assert.deepEqual(
      rest.lines.map((l) => l.line?.s),
      [undefined, 2],
    );
    spool.markReplayed(
      2,
      rest.lines.reduce((sum, l) => sum + l.bytes, 0),
    );
    assert.ok(spool.fullyReplayed);
    await spool.truncate();
    assert.equal((await readFile(path)).length, 0);
    assert.ok(spool.isEmpty);
    await spool.close();
  });
});
