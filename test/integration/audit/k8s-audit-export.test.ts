import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { K8sAuditEventList } from "../../../src/audit/export/k8s-audit-events.ts";
import type { RequestAuditRecord } from "../../../src/audit/record.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { auditConfig, requestRecord, waitFor } from "../../support/audit-fixtures.ts";
import { testConfig } from "../../support/fakes/test-config.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../../support/webhook-receiver.ts";
import { type AuditApp, startAuditApp } from "./app.ts";

describe("audit export as Kubernetes audit events", () => {
  let redis: RedisHarness;
  let receiver: WebhookReceiver;
  let app: AuditApp;
  before(async () => {
    redis = await startRedis();
    receiver = await startWebhookReceiver();
    // From a parsed config, as an operator writes it: the config → sink → worker path.
    const { audit } = testConfig({
      audit: { export: { kind: "webhook", url: receiver.url, format: "k8s-audit" } },
    });
    app = await startAuditApp(
      { ...redis, keyPrefix: "kbk8saudit:" },
      { ...auditConfig(), export: audit.export },
    );
  });
  after(async () => {
    await app.close();
    await receiver.close();
    await redis.close();
  });

  const lists = () => receiver.received as unknown as K8sAuditEventList[];
  const auditIds = () => lists().flatMap((list) => list.items.map((event) => event.auditID));

  /** A request as the gateway writes it: a start record, then its end record. */
  async function request(overrides: Partial<RequestAuditRecord> = {}): Promise<string> {
    const end = requestRecord(overrides);
    await app.audit.writer.append({ ...end, phase: "start", status: "", durationMs: "" });
    await app.audit.writer.append(end);
    return end.id;
  }

  it("posts the audit writer's request records as EventLists, one event per request, in order", async () => {
    const ids = [
      await request({ verb: "list" }),
      await request({ verb: "exec", subresource: "exec", name: "web-1", status: "101" }),
    ];
    await app.audit.lifecycle.publish({ event: "grant.started", cluster: "prod", grant: "g1" });
    // A refusal: the broker never forwarded it, so it has an end record only.
    const refused = requestRecord({ verb: "delete", status: "403", decision: "denied-by-broker" });
    await app.audit.writer.append(refused);
    ids.push(refused.id, await request());

    await waitFor(() => auditIds().length >= ids.length);
    assert.deepEqual(auditIds(), ids, "once each, in order; no start or lifecycle record");
    for (const list of lists()) {
      assert.equal(list.kind, "EventList");
      assert.equal(list.apiVersion, "audit.k8s.io/v1");
      assert.deepEqual(list.metadata, {});
    }
    const events = lists().flatMap((list) => list.items);
    assert.equal(events[1]?.verb, "create");
    assert.equal(events[1]?.objectRef?.subresource, "exec");
    assert.equal(events[2]?.annotations?.["kube-broker.io/decision"], "denied-by-broker");
  });

  it("delivers a batch the receiver failed, after retries, and nothing twice", async () => {
    const before = auditIds();
    const attempts = receiver.attempts;
    receiver.failNext(3);
    const ids = [await request(), await request({ verb: "watch", query: "watch=true" })];
    await waitFor(() => auditIds().length >= before.length + ids.length, 20_000);
    assert.ok(receiver.attempts >= attempts + 4, "three failures, then the delivery");
    assert.deepEqual(auditIds(), [...before, ...ids]);
  });
});
