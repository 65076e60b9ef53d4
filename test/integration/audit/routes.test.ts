import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AuditEntry } from "../../../src/audit/record-fields.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { auditConfig, requestRecord, waitFor } from "../../support/audit-fixtures.ts";
import { ADMIN, type AuditApp, startAuditApp } from "./app.ts";
import { SseClient } from "./sse-client.ts";

const DEV = "dev@example.com";
const OPS = "ops@example.com";

/**
 * Run with one shard (a single stream, plain stream IDs as cursors) and with three (the
 * shards merged, composite cursors). Seeded records are a millisecond apart: across shards
 * the merged order is by time, and two shards may both have an entry in one millisecond.
 */
for (const shards of [1, 3])
  describe(`audit read API (${shards} shard${shards > 1 ? "s" : ""})`, () => {
    let redis: RedisHarness;
    let app: AuditApp;
    let prefixes = 0;

    before(async () => {
      redis = await startRedis();
    });
    after(() => redis.close());

    async function freshApp(extra = {}) {
      app = await startAuditApp(redis, auditConfig({ shards }), {
        keyPrefix: `kbroutes${++prefixes}:`,
        ...extra,
      });
      return app;
    }

    async function getJson(path: string, user = ADMIN) {
      const res = await fetch(`${app.url}${path}`, { headers: app.headers(user) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    }

    async function seed() {
      const records = [
        requestRecord({ user: DEV, verb: "get", namespace: "payments" }),
        requestRecord({ user: OPS, verb: "delete", namespace: "payments", decision: "denied-by-broker" }),
        requestRecord({ user: DEV, verb: "delete", namespace: "web" }),
        requestRecord({ user: OPS, verb: "list", namespace: "web", phase: "start" }),
        requestRecord({ user: DEV, verb: "delete", namespace: "payments" }),
        requestRecord({ user: DEV, verb: "watch", namespace: "payments", resource: "deployments" }),
      ];
      await appendApart(records);
      return records;
    }

    /** One after another, a millisecond apart, so that their time order is their order. */
    async function appendApart(records: { id: string }[]) {
      for (const record of records) {
        await app.audit.writer.append(record as ReturnType<typeof requestRecord>);
        if (shards > 1) await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }

    /**
     * The same records, none twice. One shard keeps the exact order; several keep it within
     * each shard, and deliver records of different shards as each shard's tail reads them.
     */
    function assertSameRecords(got: string[], expected: string[]) {
      if (shards === 1) return assert.deepEqual(got, expected);
      assert.equal(new Set(got).size, got.length, "no record twice");
      assert.deepEqual([...got].sort(), [...expected].sort());
    }

    const ids = (body: Record<string, unknown>) => (body.items as AuditEntry[]).map((e) => e.id);

    it("filters by field and pages by stream id, both ways", async () => {
      await freshApp();
      try {
        const records = await seed();
        const deletes = await getJson("/v1/audit?verb=delete");
        assert.equal(deletes.status, 200);
        assert.deepEqual(ids(deletes.body), [records[1]!.id, records[2]!.id, records[4]!.id]);
        assert.equal(deletes.body.nextCursor, null);
        const item = (deletes.body.items as AuditEntry[])[0]!;
        assert.match(item.streamId, /^\d+-\d+$/);
        if (shards === 1)
          assert.match(String((await getJson("/v1/audit?limit=1")).body.nextCursor), /^\d+-\d+$/);
        else
          assert.equal(
            String((await getJson("/v1/audit?limit=1")).body.nextCursor).split(",").length,
            shards,
          );

        const narrow = await getJson("/v1/audit?namespace=payments&user=dev@example.com&resource=pods");
        assert.deepEqual(ids(narrow.body), [records[0]!.id, records[4]!.id]);
        assert.deepEqual(ids((await getJson("/v1/audit?decision=denied-by-broker")).body), [records[1]!.id]);
        assert.deepEqual(ids((await getJson("/v1/audit?phase=start&type=request")).body), [records[3]!.id]);

        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: { body: Record<string, unknown> } = await getJson(
            `/v1/audit?limit=4${cursor ? `&after=${cursor}` : ""}`,
          );
          assert.ok((page.body.items as unknown[]).length <= 4);
          seen.push(...ids(page.body));
          cursor = page.body.nextCursor as string | null;
        } while (cursor);
        assert.deepEqual(
          seen,
          records.map((r) => r.id),
        );

        const newest = await getJson("/v1/audit?order=desc&limit=2");
        assert.deepEqual(ids(newest.body), [records[5]!.id, records[4]!.id]);
        const older = await getJson(`/v1/audit?order=desc&limit=10&after=${newest.body.nextCursor}`);
        assert.deepEqual(
          ids(older.body),
          records
            .slice(0, 4)
            .reverse()
            .map((r) => r.id),
        );
      } finally {
        await app.close();
      }
    });

    it("takes since and until as durations or RFC 3339 times", async () => {
      await freshApp();
      try {
        const records = await seed();
        assert.equal(ids((await getJson("/v1/audit?since=1h")).body).length, records.length);
        const future = new Date(Date.now() + 60_000).toISOString();
        assert.deepEqual(ids((await getJson(`/v1/audit?since=${future}`)).body), []);
        const past = new Date(Date.now() - 3_600_000).toISOString();
        assert.deepEqual(ids((await getJson(`/v1/audit?until=${encodeURIComponent(past)}`)).body), []);
        assert.equal(
          ids((await getJson(`/v1/audit?since=${encodeURIComponent(past)}&until=${future}`)).body).length,
          6,
        );
      } finally {
        await app.close();
      }
    });

    it("answers a bad parameter with a 422 Status naming it", async () => {
      await freshApp();
      try {
        for (const [query, field] of [
          ["since=yesterday", "since"],
          ["limit=0", "limit"],
          ["limit=5000", "limit"],
          ["after=abc", "after"],
          ["decision=maybe", "decision"],
          ["order=sideways", "order"],
          ["users=dev", "users"],
          ["verb=get&verb=list", "verb"],
        ] as const) {
          const { status, body } = await getJson(`/v1/audit?${query}`);
          assert.equal(status, 422, query);
          assert.equal(body.kind, "Status");
          assert.equal(body.reason, "Invalid");
          assert.match(body.message as string, new RegExp(`"${field}"`));
          assert.equal((body.details as { causes: { field: string }[] }).causes[0]!.field, field);
        }
        const stream = await fetch(`${app.url}/v1/audit/stream?limit=3`, { headers: app.headers(ADMIN) });
        assert.equal(stream.status, 422, "a stream has no limit");
      } finally {
        await app.close();
      }
    });

    it("shows non-admins only their own records and refuses anyone else's with 403", async () => {
      await freshApp();
      try {
        const records = await seed();
        const mine = await getJson("/v1/audit", DEV);
        assert.equal(mine.status, 200);
        assert.ok((mine.body.items as AuditEntry[]).every((e) => e.user === DEV));
        assert.equal((mine.body.items as AuditEntry[]).length, 4);
        const ownDeletes = await getJson(`/v1/audit?user=${DEV}&verb=delete`, DEV);
        assert.deepEqual(ids(ownDeletes.body), [records[2]!.id, records[4]!.id]);

        const theirs = await getJson(`/v1/audit?user=${OPS}`, DEV);
        assert.equal(theirs.status, 403);
        assert.equal(theirs.body.kind, "Status");
        assert.equal(theirs.body.reason, "Forbidden");
        const stream = await fetch(`${app.url}/v1/audit/stream?user=${OPS}`, { headers: app.headers(DEV) });
        assert.equal(stream.status, 403);
        assert.equal(((await stream.json()) as { reason: string }).reason, "Forbidden");

        const anonymous = await fetch(`${app.url}/v1/audit`);
        assert.equal(anonymous.status, 401);
      } finally {
        await app.close();
      }
    });

    it("streams live records and resumes from Last-Event-ID without gaps or repeats", async () => {
      await freshApp({ heartbeatMs: 50 });
      const clients: SseClient[] = [];
      try {
        const old = await seed();
        const live = await SseClient.open(`${app.url}/v1/audit/stream`, app.headers(ADMIN));
        clients.push(live);
        assert.equal(live.status, 200);
        await waitFor(async () => (await metric("kube_broker_audit_stream_subscribers")) === 1);
        const first = Array.from({ length: 5 }, (_, i) => requestRecord({ id: `live-${i}`, user: OPS }));
        await appendApart(first);
        const events = await live.waitForEvents(5);
        assert.deepEqual(
          events.map((e) => (JSON.parse(e.data) as AuditEntry).id),
          first.map((r) => r.id),
          "only records from after the stream opened",
        );
        // The event id is the cursor after the event: the stream id itself with one shard.
        for (const event of events) {
          const { streamId } = JSON.parse(event.data) as AuditEntry;
          if (shards === 1) assert.equal(event.id, streamId);
          else assert.ok(event.id!.split(",").length === shards && event.id!.split(",").includes(streamId));
        }
        await waitFor(() => live.comments.includes("heartbeat"));

        // The client drops after the third event; more records arrive while it is away.
        const lastSeen = events[2]!.id!;
        live.close();
        await waitFor(async () => (await metric("kube_broker_audit_stream_subscribers")) === 0);
        const second = Array.from({ length: 4 }, (_, i) => requestRecord({ id: `later-${i}`, user: OPS }));
        await appendApart(second);

        const resumed = await SseClient.open(`${app.url}/v1/audit/stream`, {
          ...app.headers(ADMIN),
          "last-event-id": lastSeen,
        });
        clients.push(resumed);
        // Concurrent appends while it catches up must neither be lost nor repeated.
        const third = Array.from({ length: 20 }, (_, i) => requestRecord({ id: `during-${i}`, user: OPS }));
        await Promise.all(third.map((r) => app.audit.writer.append(r)));
        const expected = [...first.slice(3), ...second, ...third].map((r) => r.id);
        const got = await resumed.waitForEvents(expected.length);
        await new Promise((resolve) => setTimeout(resolve, 100));
        assertSameRecords(
          got.map((e) => (JSON.parse(e.data) as AuditEntry).id),
          expected,
        );

        // ?after= works like Last-Event-ID; a non-admin sees only their own records.
        const fromStart = await SseClient.open(`${app.url}/v1/audit/stream?after=0-0`, app.headers(DEV));
        clients.push(fromStart);
        const own = old.filter((r) => r.user === DEV).map((r) => r.id);
        const dev = requestRecord({ user: DEV, id: "dev-live" });
        await appendApart([requestRecord({ user: OPS, id: "ops-live" }), dev]);
        const devEvents = await fromStart.waitForEvents(own.length + 1);
        assert.deepEqual(
          devEvents.map((e) => (JSON.parse(e.data) as AuditEntry).id),
          [...own, dev.id],
        );
      } finally {
        for (const client of clients) client.close();
        await app.close();
      }
    });

    it("ends open streams when the feature stops", async () => {
      await freshApp();
      const client = await SseClient.open(`${app.url}/v1/audit/stream`, app.headers(ADMIN));
      await waitFor(async () => (await metric("kube_broker_audit_stream_subscribers")) === 1);
      await app.close();
      await waitFor(() => client.ended);
    });

    async function metric(name: string): Promise<number> {
      const values = (await app.metrics.getSingleMetric(name)?.get())?.values ?? [];
      return values[0]?.value ?? 0;
    }
  });
