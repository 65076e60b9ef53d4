import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AlertEvaluator, effectiveRules } from "../../../src/alerts/index.ts";
import type { AuditRecord } from "../../../src/audit/record.ts";
import { DEFAULT_ALERT_RULES } from "../../../src/config/alerts-schema.ts";
import { lifecycleRecord, requestRecord } from "../../support/audit-fixtures.ts";
import { FakeAlertStore } from "../../support/fakes/fake-alert-store.ts";
import { ManualClock } from "../../support/fakes/manual-clock.ts";
import { testConfig } from "../../support/fakes/test-config.ts";

const roles = [
  { name: "view", clusterRole: "view" },
  { name: "admin", clusterRole: "cluster-admin", scope: "cluster" },
  { name: "breakglass", clusterRole: "edit", privileged: true },
];
// Tuesday 3 March 2026, 10:00 UTC: inside the default business hours.
const DAYTIME = "2026-03-03T10:00:00.000Z";

async function firedBy(alerts: Record<string, unknown>, records: AuditRecord[]): Promise<string[]> {
  const config = testConfig({ roles, alerts });
  const evaluator = new AlertEvaluator({
    rules: effectiveRules(config),
    store: new FakeAlertStore(),
    clock: new ManualClock(),
  });
  const names: string[] = [];
  for (const record of records) names.push(...(await evaluator.evaluate(record)).map((a) => a.rule));
  return names;
}

/** A second request from the same IP: new-source-ip fired on the first and stays quiet. */
const seen = () => requestRecord({ ts: DAYTIME, sourceIp: "192.0.2.1" });
const quiet = (records: AuditRecord[]) => [seen(), ...records];
const without = (names: string[], rule: string) => names.filter((n, i) => !(n === rule && i === 0));

describe("default alert rules", () => {
  it("all ship enabled", () => {
    const names = effectiveRules(testConfig()).map((r) => r.name);
    assert.deepEqual(names, [...DEFAULT_ALERT_RULES]);
  });

  it("each fires on what it is for", async () => {
    const fired = await firedBy({ sensitiveNamespaces: ["prod-*"] }, [
      seen(),
      requestRecord({ ts: DAYTIME, sourceIp: "192.0.2.1", subresource: "exec", namespace: "prod-pay" }),
      requestRecord({ ts: DAYTIME, sourceIp: "192.0.2.1", subresource: "exec", namespace: "dev" }),
      requestRecord({ ts: DAYTIME, sourceIp: "192.0.2.1", verb: "list", resource: "secrets" }),
      requestRecord({
        ts: DAYTIME,
        sourceIp: "192.0.2.1",
        verb: "create",
        apiGroup: "rbac.authorization.k8s.io",
        resource: "rolebindings",
      }),
      requestRecord({
        ts: DAYTIME,
        sourceIp: "192.0.2.1",
        verb: "delete",
        resource: "namespaces",
        name: "x",
      }),
      lifecycleRecord({ ts: DAYTIME, role: "admin" }),
      lifecycleRecord({ ts: DAYTIME, role: "breakglass" }),
      lifecycleRecord({ ts: DAYTIME, role: "view" }),
      lifecycleRecord({ ts: DAYTIME, role: "view", grantKind: "break-glass", request: "r1" }),
      lifecycleRecord({ ts: DAYTIME, event: "grant.ended", grantKind: "break-glass", request: "r1" }),
      lifecycleRecord({ ts: "2026-03-03T22:00:00.000Z", event: "request.approved" }),
      lifecycleRecord({ ts: DAYTIME, event: "request.approved" }),
      requestRecord({ ts: DAYTIME, sourceIp: "198.51.100.7" }),
    ]);
    assert.deepEqual(without(fired, "new-source-ip"), [
      "exec-in-sensitive-namespace",
      "secret-read",
      "rbac-changed",
      "namespace-deleted",
      "admin-grant-started",
      "admin-grant-started",
      "break-glass-started",
      "approved-outside-business-hours",
      "new-source-ip",
    ]);
  });

  it("fires refusal-burst once for 20 refusals of one user in 5 minutes", async () => {
    const refusals = Array.from({ length: 40 }, (_, i) =>
      requestRecord({
        ts: new Date(Date.parse(DAYTIME) + i * 1000).toISOString(),
        sourceIp: "192.0.2.1",
        decision: "denied-by-broker",
        status: "403",
      }),
    );
    assert.deepEqual(await firedBy({}, quiet(refusals)), ["new-source-ip", "refusal-burst"]);
  });

  it("can be switched off or changed by name, or replaced by a rule of the same name", async () => {
    const config = testConfig({
      roles,
      alerts: {
        defaults: { "secret-read": { enabled: false }, "namespace-deleted": { severity: "info" } },
        rules: [
          {
            name: "refusal-burst",
            severity: "critical",
            description: "five refusals",
            match: { decision: "denied-by-broker" },
            threshold: { count: 5, window: "1m" },
          },
        ],
      },
    });
    const rules = effectiveRules(config);
    const byName = new Map(rules.map((r) => [r.name, r]));
    assert.equal(byName.has("secret-read"), false);
    assert.equal(byName.get("namespace-deleted")?.severity, "info");
    assert.equal(byName.get("refusal-burst")?.threshold?.count, 5);
    assert.equal(rules.filter((r) => r.name === "refusal-burst").length, 1);
  });

  it("keeps break-glass-started critical and on whatever a config built in code says", () => {
    const config = testConfig({ roles });
    // check-config refuses these (test/unit/config/break-glass-config.test.ts); a config that
    // skipped it still cannot silence the rule.
    config.alerts.defaults["break-glass-started"] = { enabled: false, severity: "info" };
    config.alerts.rules.push({
      name: "break-glass-started",
      severity: "info",
      description: "quiet",
      enabled: false,
      dryRun: false,
      match: {},
    });
    const found = effectiveRules(config).filter((r) => r.name === "break-glass-started");
    assert.equal(found.length, 1);
    assert.equal(found[0]?.severity, "critical");
    assert.deepEqual(found[0]?.match, { event: ["grant.started"], grantKind: ["break-glass"] });
  });

  it("uses the configured business hours and time zone", async () => {
    const alerts = { businessHours: { timeZone: "America/New_York", hours: "09:00-17:00" } };
    const approved = (ts: string) => lifecycleRecord({ ts, event: "request.approved" });
    // 13:30 UTC on a Tuesday in March (after the US change to summer time) is 09:30 EDT.
    assert.deepEqual(await firedBy(alerts, [approved("2026-03-10T13:30:00Z")]), []);
    assert.deepEqual(await firedBy(alerts, [approved("2026-03-10T12:30:00Z")]), [
      "approved-outside-business-hours",
    ]);
  });

  it("without sensitive namespaces, exec fires nothing", async () => {
    const exec = requestRecord({
      ts: DAYTIME,
      sourceIp: "192.0.2.1",
      subresource: "exec",
      namespace: "kube-system",
    });
    assert.deepEqual(await firedBy({}, quiet([exec])), ["new-source-ip"]);
  });
});
