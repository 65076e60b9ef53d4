import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AlertEvaluator, type AlertRule, alertId } from "../../../src/alerts/index.ts";
import type { AuditRecord } from "../../../src/audit/record.ts";
import { rule } from "../../support/alert-fixtures.ts";
import { requestRecord } from "../../support/audit-fixtures.ts";
import { alertStoreContract, FakeAlertStore } from "../../support/fakes/fake-alert-store.ts";
import { ManualClock } from "../../support/fakes/manual-clock.ts";

const burst = rule({
  name: "burst",
  match: { decision: "denied-by-cluster" },
  threshold: { count: 20, window: "5m", groupBy: "user" },
});
const newIp = rule({ name: "new-ip", match: { type: "request" }, firstSeen: { of: "sourceIp", days: 30 } });
const exec = rule({ name: "exec", match: { subresource: "exec" } });

function setup(rules: AlertRule[]) {
  const clock = new ManualClock(Date.parse("2026-03-02T10:00:00Z"));
  const evaluator = new AlertEvaluator({ rules, store: new FakeAlertStore(), clock });
  const record = (overrides: Parameters<typeof requestRecord>[0] = {}) =>
    requestRecord({ ts: new Date(clock.now()).toISOString(), ...overrides });
  const fired = async (records: AuditRecord[]) => {
    const alerts = [];
    for (const r of records) alerts.push(...(await evaluator.evaluate(r)));
    return alerts;
  };
  return { clock, evaluator, record, fired };
}

describe("alert evaluator", () => {
  it("fires a threshold once for a burst, on the record that crosses it", async () => {
    const { clock, record, fired } = setup([burst]);
    const refusals = Array.from({ length: 60 }, () => {
      clock.advance(1000);
      return record({ decision: "denied-by-cluster", status: "403" });
    });
    const alerts = await fired(refusals);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.record.id, refusals[19]!.id);
    assert.deepEqual(alerts[0]!.group, {
      field: "user",
      value: "dev@example.com",
      count: 20,
      windowSeconds: 300,
    });
    assert.equal(alerts[0]!.id, alertId("burst", refusals[19]!.id));
  });

  it("counts each user apart, and fires again for a burst after the window emptied", async () => {
    const { clock, record, fired } = setup([burst]);
    const refusals = (user: string, n: number) =>
      Array.from({ length: n }, () => {
        clock.advance(100);
        return record({ user, decision: "denied-by-cluster" });
      });
    assert.equal((await fired([...refusals("a", 10), ...refusals("b", 19), ...refusals("a", 10)])).length, 1);
    clock.advance(10 * 60_000);
    assert.equal((await fired(refusals("a", 25))).length, 1);
  });

  it("fires nothing new when records are evaluated again", async () => {
    const { clock, record, fired } = setup([burst, newIp, exec]);
    const records = Array.from({ length: 25 }, (_, i) => {
      clock.advance(1000);
      return record({ decision: "denied-by-cluster", sourceIp: `192.0.2.${i % 3}`, subresource: "exec" });
    });
    const first = await fired(records);
    // 25 exec records, three new source IPs, one burst.
    assert.equal(first.length, 25 + 3 + 1);
    assert.deepEqual(await fired(records), []);
  });

  it("fires first-seen once per user and source IP in the horizon", async () => {
    const { clock, record, fired } = setup([newIp]);
    assert.equal((await fired([record({ sourceIp: "192.0.2.1" })])).length, 1);
    assert.equal((await fired([record({ sourceIp: "192.0.2.1" })])).length, 0);
    const [other] = await fired([record({ sourceIp: "192.0.2.1", user: "ops@example.com" })]);
    assert.deepEqual(other?.firstSeen, { field: "sourceIp", value: "192.0.2.1", days: 30 });
    clock.advance(29 * 86_400_000);
    assert.equal((await fired([record({ sourceIp: "192.0.2.1" })])).length, 0, "seen 29 days ago");
    clock.advance(31 * 86_400_000);
    assert.equal((await fired([record({ sourceIp: "192.0.2.1" })])).length, 1, "not seen for 31 days");
    assert.equal((await fired([record({ sourceIp: "" })])).length, 0, "no IP, nothing to remember");
  });

  it("fires once per request for its start and end records, and waits for the end to know the outcome", async () => {
    const refused = rule({ name: "refused-exec", match: { subresource: "exec", statusClass: "4xx" } });
    const { record, fired } = setup([exec, refused]);
    const start = record({ phase: "start", subresource: "exec", status: "" });
    const startAlerts = await fired([start]);
    assert.deepEqual(
      startAlerts.map((a) => a.rule),
      ["exec"],
    );
    const end = { ...start, phase: "end" as const, status: "403", decision: "denied-by-cluster" as const };
    assert.deepEqual(
      (await fired([end])).map((a) => a.rule),
      ["refused-exec"],
    );
  });

  it("runs only enabled rules", async () => {
    const { record, fired } = setup([{ ...exec, enabled: false }]);
    assert.equal((await fired([record({ subresource: "exec" })])).length, 0);
  });
});

describe("FakeAlertStore (the contract RedisAlertStore also passes)", () => {
  for (const { name, run } of alertStoreContract) it(name, () => run(new FakeAlertStore()));
});
