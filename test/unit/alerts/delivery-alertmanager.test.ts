import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alertLink } from "../../../src/alerts/delivery/alert-summary.ts";
import { alertmanagerAlert } from "../../../src/alerts/delivery/alertmanager-alert.ts";
import { lifecycleRecord, requestRecord } from "../../support/audit-fixtures.ts";
import { firedAlert } from "../../support/fired-alert.ts";

const at = "2026-03-02T10:00:00.000Z";
const now = Date.parse(at) + 1000;
const render = (alert = firedAlert()) =>
  alertmanagerAlert(alert, {
    link: alertLink("https://broker.example.com/", alert.id),
    throttleSeconds: 300,
    now,
  });

describe("Alertmanager rendering", () => {
  it("labels exactly the rule, severity, cluster, namespace and user", () => {
    const postable = render(firedAlert({ at }));
    assert.deepEqual(postable.labels, {
      alertname: "exec-in-sensitive-namespace",
      severity: "critical",
      cluster: "prod",
      namespace: "team-a",
      user: "alice@example.com",
    });
  });

  it("leaves out a label whose value is empty", () => {
    const record = requestRecord({ namespace: "", resource: "nodes", verb: "delete", name: "n1" });
    assert.deepEqual(Object.keys(render(firedAlert({ record })).labels).sort(), [
      "alertname",
      "cluster",
      "severity",
      "user",
    ]);
  });

  it("annotates what people need to act, and links to the alert", () => {
    const alert = firedAlert({ at, id: "a1" });
    const postable = render(alert);
    assert.deepEqual(postable.annotations, {
      description: "A shell was opened in a pod of a sensitive namespace",
      summary: "alice@example.com exec pods/web-1 in prod/team-a",
      kubectl_command: "kubectl exec",
      link: "https://broker.example.com/v1/alerts/a1",
      alert_id: "a1",
    });
    assert.equal(postable.generatorURL, "https://broker.example.com/v1/alerts/a1");
  });

  it("tells a threshold's count, window and group, and what was first seen", () => {
    const burst = render(
      firedAlert({
        rule: "refusal-burst",
        group: { field: "user", value: "alice@example.com", count: 20, windowSeconds: 300 },
      }),
    ).annotations;
    assert.equal(burst.count, "20");
    assert.equal(burst.window, "5m");
    assert.equal(burst.group, "user=alice@example.com");
    assert.match(burst.summary!, /: 20 within 5m for user=alice@example.com$/);
    const seen = render(firedAlert({ firstSeen: { field: "sourceIp", value: "203.0.113.9", days: 30 } }));
    assert.equal(seen.annotations.first_seen, "sourceIp 203.0.113.9, not seen for this user in 30 days");
  });

  it("resolves by itself a throttle span after it starts, or after it arrives if it is old", () => {
    const fresh = render(firedAlert({ at: new Date(now).toISOString() }));
    assert.equal(fresh.startsAt, new Date(now).toISOString());
    assert.equal(fresh.endsAt, new Date(now + 300_000).toISOString());
    const late = render(firedAlert({ at: "2026-03-01T10:00:00.000Z" }));
    assert.equal(late.startsAt, "2026-03-01T10:00:00.000Z");
    assert.equal(late.endsAt, new Date(now + 300_000).toISOString(), "still firing when it arrives");
  });

  it("summarises a lifecycle event with its role and place, and carries the action", () => {
    const record = lifecycleRecord({
      event: "grant.started",
      role: "cluster-admin",
      namespace: "",
      user: "bob",
    });
    const postable = render(
      firedAlert({ rule: "admin-grant-started", record, action: { kind: "revoke-grant", dryRun: true } }),
    );
    assert.equal(postable.annotations.summary, "bob grant.started cluster-admin in prod");
    assert.equal(postable.annotations.action, "revoke-grant (dry run)");
    assert.equal(postable.annotations.kubectl_command, undefined);
  });

  it("says when the broker or the cluster refused the request", () => {
    const record = requestRecord({
      user: "eve",
      verb: "list",
      resource: "secrets",
      namespace: "kube-system",
      decision: "denied-by-cluster",
    });
    assert.equal(
      render(firedAlert({ record })).annotations.summary,
      "eve list secrets in prod/kube-system (denied-by-cluster)",
    );
  });
});
