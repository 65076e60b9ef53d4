import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { auditConfig, requestRecord } from "../../support/audit-fixtures.ts";
import { ADMIN, type AuditApp, startAuditApp } from "./app.ts";
import { SseClient } from "./sse-client.ts";

const MAX = "18446744073709551615";
const OVER = "18446744073709551616";

/** Cursors and time bounds are checked in full before Redis is asked: a 422, never a 500. */
for (const shards of [1, 3]) {
  describe(`audit cursors and time bounds (${shards} shard${shards > 1 ? "s" : ""})`, () => {
    let redis: RedisHarness;
    let app: AuditApp;
    before(async () => {
      redis = await startRedis();
      app = await startAuditApp(redis, auditConfig({ shards }), { keyPrefix: `kbbounds${shards}:` });
      await app.audit.writer.append(requestRecord());
    });
    after(async () => {
      await app.close();
      await redis.close();
    });

    async function status(path: string, headers: Record<string, string> = {}) {
      const res = await fetch(`${app.url}${path}`, { headers: { ...app.headers(ADMIN), ...headers } });
      if (res.headers.get("content-type")?.startsWith("application/json"))
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      await res.body?.cancel();
      return { status: res.status, body: {} as Record<string, unknown> };
    }

    const wrongShardCount = shards === 1 ? "1-0,2-0" : "1-0,2-0";
    const badCursors = [
      `${OVER}-0`,
      `0-${OVER}`,
      OVER,
      "-1-0",
      "1-",
      "1-0-0",
      "0x10-0",
      "1.5-0",
      " 1-0",
      wrongShardCount,
      `${Array.from({ length: shards }, () => "1-0").join(",")},`,
    ];
    const badTimes = [
      "99999999999999999d",
      "999999999999999999999",
      "20000000d",
      "0000-01-01T00:00:00Z",
      "1969-12-31T23:59:59Z",
      "2026-13-01T00:00:00Z",
    ];

    it("refuses an out-of-range or malformed cursor with a 422 naming `after`", async () => {
      for (const cursor of badCursors) {
        for (const path of ["/v1/audit", "/v1/audit/stream"]) {
          const { status: code, body } = await status(`${path}?after=${encodeURIComponent(cursor)}`);
          assert.equal(code, 422, `${path} after=${cursor}`);
          assert.equal(body.kind, "Status");
          assert.equal(body.reason, "Invalid");
          assert.equal((body.details as { causes: { field: string }[] }).causes[0]!.field, "after");
        }
      }
    });

    it("refuses a bad Last-Event-ID with a 422 instead of opening the stream", async () => {
      // A header value loses its surrounding blanks in transit: " 1-0" arrives as "1-0".
      for (const cursor of badCursors.filter((c) => c.trim() === c)) {
        const { status: code, body } = await status("/v1/audit/stream", { "last-event-id": cursor });
        assert.equal(code, 422, `Last-Event-ID: ${cursor}`);
        assert.equal((body.details as { causes: { field: string }[] }).causes[0]!.field, "Last-Event-ID");
      }
    });

    it("refuses a time or duration outside 1970..9999 with a 422 naming it", async () => {
      for (const time of badTimes) {
        for (const [path, field] of [
          ["/v1/audit", "since"],
          ["/v1/audit", "until"],
          ["/v1/audit/stream", "since"],
        ] as const) {
          const { status: code, body } = await status(`${path}?${field}=${encodeURIComponent(time)}`);
          assert.equal(code, 422, `${path} ${field}=${time}`);
          assert.equal((body.details as { causes: { field: string }[] }).causes[0]!.field, field);
        }
      }
    });

    it("takes the largest valid cursor and the widest valid times", async () => {
      for (const cursor of [`${MAX}-${MAX}`, MAX, "0", "0-0", "1767225600000"]) {
        const { status: code, body } = await status(`/v1/audit?after=${cursor}`);
        assert.equal(code, 200, `after=${cursor}`);
        assert.ok(Array.isArray(body.items));
      }
      const desc = await status(`/v1/audit?order=desc&after=${MAX}-${MAX}`);
      assert.equal((desc.body.items as unknown[]).length, 1);
      const wide = await status("/v1/audit?since=1970-01-01T00:00:00Z&until=9999-12-31T23:59:59Z");
      assert.equal((wide.body.items as unknown[]).length, 1);
      const stream = await SseClient.open(
        `${app.url}/v1/audit/stream?after=${MAX}-${MAX}`,
        app.headers(ADMIN),
      );
      assert.equal(stream.status, 200);
      stream.close();
    });
  });
}
