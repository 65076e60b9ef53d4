import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  collectAll,
  jsonLines,
  MAX_PAGE,
  queryString,
  readSearch,
  shownInList,
  without,
} from "../../../src/console/ui/audit-query.ts";
import type { AuditPage, AuditRecord } from "../../../src/console/ui/audit-types.ts";

const record = (fields: Partial<Record<string, string>>): AuditRecord =>
  ({ streamId: "1-0", id: "r", type: "request", phase: "end", ...fields }) as AuditRecord;

describe("the audit search in the URL", () => {
  it("reads only the names the API knows, trimmed, empty ones left out", () => {
    assert.deepEqual(readSearch("?user=+dev%40example.com+&verb=&since=1h&users=x&order=asc&after=5-0"), {
      user: "dev@example.com",
      since: "1h",
      after: "5-0",
    });
  });

  it("writes the same search as the same query, in one order, with the page's own additions", () => {
    const search = { since: "1h", resource: "configmaps", user: "dev@example.com", verb: " " };
    const query = queryString(search, { order: "desc", limit: "50" });
    assert.equal(query, "user=dev%40example.com&resource=configmaps&since=1h&limit=50&order=desc");
    assert.equal(queryString(readSearch(`?${queryString(search)}`)), queryString(search), "a round trip");
  });

  it("lets the page's additions replace what the search says", () => {
    assert.equal(queryString({ since: "1h", limit: "25" }, { since: "1m" }), "since=1m&limit=25");
  });

  it("starts a new search at the first page", () => {
    assert.deepEqual(without({ user: "a", after: "5-0", limit: "25" }, "after"), { user: "a", limit: "25" });
  });
});

describe("shownInList", () => {
  it("leaves a request's start entry out unless a phase is asked for", () => {
    const start = record({ phase: "start" });
    assert.equal(shownInList(start, undefined), false);
    assert.equal(shownInList(start, "start"), true);
    assert.equal(shownInList(record({ phase: "end" }), undefined), true);
    assert.equal(shownInList(record({ type: "lifecycle", phase: "" }), undefined), true);
  });
});

describe("the JSON lines download", () => {
  it("writes one record per line, each parsing back to the record", () => {
    const records = [record({ id: "a", detail: "line\nbreak" }), record({ id: "b" })];
    const text = jsonLines(records);
    const lines = text.split("\n");
    assert.equal(lines.length, 3);
    assert.equal(lines[2], "", "the file ends with a newline");
    assert.deepEqual(
      lines.slice(0, 2).map((line) => JSON.parse(line)),
      records,
    );
    assert.equal(jsonLines([]), "");
  });

  it("follows the cursor to the end of the range", async () => {
    const asked: (string | undefined)[] = [];
    const pages: Record<string, AuditPage> = {
      first: { items: [record({ id: "a" }), record({ id: "b" })], nextCursor: "2-0" },
      "2-0": { items: [], nextCursor: "3-0" },
      "3-0": { items: [record({ id: "c" })], nextCursor: null },
    };
    const progress: number[] = [];
    const result = await collectAll(
      async (after, limit) => {
        asked.push(after);
        assert.equal(limit, MAX_PAGE);
        return pages[after ?? "first"]!;
      },
      50_000,
      (count) => progress.push(count),
    );
    assert.deepEqual(
      result.records.map((r) => r.id),
      ["a", "b", "c"],
    );
    assert.equal(result.capped, false);
    assert.deepEqual(asked, [undefined, "2-0", "3-0"]);
    assert.deepEqual(progress, [2, 2, 3]);
  });

  it("stops at the cap, asking no more than it keeps, and says so", async () => {
    const limits: number[] = [];
    let n = 0;
    const result = await collectAll(async (_after, limit) => {
      limits.push(limit);
      const items = Array.from({ length: limit }, () => record({ id: String(n++) }));
      return { items, nextCursor: `${n}-0` };
    }, 2500);
    assert.equal(result.records.length, 2500);
    assert.equal(result.capped, true);
    assert.deepEqual(limits, [1000, 1000, 500]);
  });
});
