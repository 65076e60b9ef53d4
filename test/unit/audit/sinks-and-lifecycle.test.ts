import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { Counter, Registry } from "prom-client";
import {
  createExportSink,
  FileSink,
  StreamSink,
  WebhookSink,
} from "../../../src/audit/export/export-sinks.ts";
import type { AuditEntry } from "../../../src/audit/record-fields.ts";
import { createLifecycleSink } from "../../../src/audit/write/lifecycle-sink.ts";
import { silentLogger } from "../../../src/shared/logger.ts";
import { requestRecord } from "../../support/audit-fixtures.ts";
import { FakeAuditWriter } from "../../support/fakes/fake-audit-writer.ts";
import { ManualClock } from "../../support/fakes/manual-clock.ts";

const entry = (streamId: string): AuditEntry => ({ ...requestRecord(), streamId });

describe("audit export sinks from config", () => {
  it("builds the configured sink, or none", () => {
    assert.equal(createExportSink({ kind: "none" }), undefined);
    assert.ok(createExportSink({ kind: "stdout" }) instanceof StreamSink);
    assert.ok(createExportSink({ kind: "file", path: "/tmp/x.jsonl" }) instanceof FileSink);
    const env = { SIEM_HEADERS: '{"Authorization":"Bearer t"}' };
    const webhook = createExportSink(
      { kind: "webhook", url: "https://siem.example/ingest", headersEnv: "SIEM_HEADERS" },
      env,
    );
    assert.ok(webhook instanceof WebhookSink);
  });

  it("refuses webhook headers that are missing or not a JSON object of strings, without echoing them", () => {
    const config = {
      kind: "webhook" as const,
      url: "https://siem.example/ingest",
      headersEnv: "SIEM_HEADERS",
    };
    assert.throws(() => createExportSink(config, {}), /SIEM_HEADERS is not set/);
    for (const value of ["Bearer secret", '["a"]', '{"a":1}']) {
      assert.throws(
        () => createExportSink(config, { SIEM_HEADERS: value }),
        (err: Error) => /JSON object/.test(err.message) && !err.message.includes("secret"),
      );
    }
  });

  it("writes one JSON line per record to stdout", async () => {
    const out = new PassThrough();
    let text = "";
    out.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    await new StreamSink({ stream: out }).deliver([entry("1-0"), entry("2-0")]);
    const lines = text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as AuditEntry);
    assert.deepEqual(
      lines.map((l) => l.streamId),
      ["1-0", "2-0"],
    );
  });
});

describe("lifecycle sink", () => {
  const lifecycleSink = (writer: FakeAuditWriter, clock = new ManualClock()) => {
    const registry = new Registry();
    const listenerFailures = new Counter({
      name: "failures",
      help: "-",
      labelNames: ["event"],
      registers: [registry],
    });
    const sink = createLifecycleSink({ writer, clock, logger: silentLogger(), listenerFailures });
    const failures = async () => (await registry.getSingleMetric("failures")!.get()).values;
    return { sink, failures };
  };

  it("fills id, time and empty fields, and appends a lifecycle record", async () => {
    const writer = new FakeAuditWriter();
    const clock = new ManualClock(Date.parse("2026-03-01T12:00:00Z"));
    const { sink } = lifecycleSink(writer, clock);
    await sink.publish({ event: "grant.started", user: "dev@example.com", grant: "g1", cluster: "prod" });
    const [record] = writer.records;
    assert.deepEqual(record, {
      type: "lifecycle",
      event: "grant.started",
      id: (record as { id: string }).id,
      ts: "2026-03-01T12:00:00.000Z",
      cluster: "prod",
      user: "dev@example.com",
      groups: "",
      grant: "g1",
      role: "",
      serviceAccount: "",
      grantKind: "",
      namespace: "",
      detail: "",
      request: "",
    });
    assert.match(record!.id, /^[a-z2-7]{16}$/);

    writer.unavailable = true;
    await assert.rejects(sink.publish({ event: "login" }), (err: { code: number }) => err.code === 503);
  });

  it("tells listeners each recorded event; a failing listener is counted, never thrown to the publisher", async () => {
    const writer = new FakeAuditWriter();
    const { sink, failures } = lifecycleSink(writer);
    const heard: string[] = [];
    sink.onRecorded((event) => {
      heard.push(`${event.event}:${writer.records.length}`);
    });
    sink.onRecorded(async (event) => {
      if (event.event === "grant.ended") throw new Error("the request store is away");
    });
    await sink.publish({ event: "grant.started" });
    await sink.publish({ event: "grant.ended" });
    assert.deepEqual(heard, ["grant.started:1", "grant.ended:2"], "after each record was written");
    assert.deepEqual(
      (await failures()).map((v) => [v.labels.event, v.value]),
      [["grant.ended", 1]],
    );

    writer.unavailable = true;
    await assert.rejects(sink.publish({ event: "grant.ended" }));
    assert.equal(heard.length, 2, "an event that was not recorded is not told");
  });
});
