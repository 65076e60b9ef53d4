import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareStreamIds, mergeRecords } from "../../../src/console/ui/activity-list.ts";
import type { AuditRecord } from "../../../src/console/ui/audit-types.ts";

const entry = (streamId: string, id: string, phase = "end"): AuditRecord =>
  ({ streamId, id, type: "request", phase }) as AuditRecord;
const ids = (list: AuditRecord[]) => list.map((r) => `${r.id}@${r.streamId}`);

describe("the Activity list", () => {
  it("orders stream IDs by time, then sequence, not as text", () => {
    assert.ok(compareStreamIds("999-0", "1000-0") < 0);
    assert.ok(compareStreamIds("1000-10", "1000-9") > 0);
    assert.equal(compareStreamIds("1000-1", "1000-1"), 0);
  });

  it("puts new records on top, newest first", () => {
    const list = mergeRecords([], [entry("1-0", "a"), entry("2-0", "b")]);
    assert.deepEqual(ids(mergeRecords(list, [entry("3-0", "c")])), ["c@3-0", "b@2-0", "a@1-0"]);
  });

  it("replaces a request's start with its end: one row per request", () => {
    const list = mergeRecords([], [entry("1-0", "a", "start"), entry("2-0", "b")]);
    const merged = mergeRecords(list, [entry("3-0", "a", "end")]);
    assert.deepEqual(ids(merged), ["a@3-0", "b@2-0"]);
    assert.equal(merged[0]!.type === "request" && merged[0]!.phase, "end");
  });

  it("ignores what it has shown already, or older entries of it (the backlog meets the stream)", () => {
    const list = mergeRecords([], [entry("3-0", "a", "end"), entry("2-0", "b")]);
    assert.deepEqual(ids(mergeRecords(list, [entry("1-0", "a", "start"), entry("2-0", "b")])), ids(list));
  });

  it("places a late older record by its time, not on top", () => {
    const list = mergeRecords([], [entry("1-0", "a"), entry("3-0", "c")]);
    assert.deepEqual(ids(mergeRecords(list, [entry("2-0", "b")])), ["c@3-0", "b@2-0", "a@1-0"]);
  });

  it("keeps only the newest `max`", () => {
    const many = Array.from({ length: 10 }, (_, i) => entry(`${i + 1}-0`, `r${i + 1}`));
    const list = mergeRecords([], many, 3);
    assert.deepEqual(ids(list), ["r10@10-0", "r9@9-0", "r8@8-0"]);
  });
});
