import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jsonBody, slackBody } from "../../../src/alerts/delivery/webhook-bodies.ts";
import { requestRecord } from "../../support/audit-fixtures.ts";
import { firedAlert } from "../../support/fired-alert.ts";

const link = "https://broker.example.com/v1/alerts/a1";
const now = Date.parse("2026-03-02T10:07:00Z");

describe("alert webhook bodies", () => {
  it("JSON: the event, a line for people and the alert's fields, picked one by one", () => {
    const alert = firedAlert({ id: "a1", at: "2026-03-02T10:06:59.000Z" });
    const body = jsonBody(alert, link, { repeats: 0 }, now);
    assert.equal(body.event, "alert.fired");
    assert.equal(body.ts, "2026-03-02T10:07:00.000Z");
    assert.equal(
      body.text,
      `[critical] exec-in-sensitive-namespace: alice@example.com exec pods/web-1 in prod/team-a ${link}`,
    );
    assert.deepEqual(body.alert, {
      id: "a1",
      rule: "exec-in-sensitive-namespace",
      severity: "critical",
      description: "A shell was opened in a pod of a sensitive namespace",
      summary: "alice@example.com exec pods/web-1 in prod/team-a",
      at: "2026-03-02T10:06:59.000Z",
      record: alert.record.id,
      user: "alice@example.com",
      cluster: "prod",
      namespace: "team-a",
      verb: "exec",
      resource: "pods",
      name: "web-1",
      subresource: "exec",
      decision: "allowed",
      kubectlCommand: "kubectl exec",
      sourceIp: "203.0.113.9",
      grant: "g-42",
      role: "edit",
      link,
      repeats: 0,
    });
  });

  it("never carries record fields it did not pick (query, user agent, session, serviceAccount)", () => {
    const record = requestRecord({ query: "secret-ish=1", userAgent: "ua", kubectlSession: "sess-9" });
    const text = JSON.stringify(jsonBody(firedAlert({ record }), link, { repeats: 0 }, now));
    for (const leaked of ["secret-ish", '"ua"', "sess-9", "kb-dev-g1", "developers"])
      assert.ok(!text.includes(leaked), leaked);
  });

  it("says how many repeats were folded in, and since when", () => {
    const since = Date.parse("2026-03-02T10:02:00Z");
    const body = jsonBody(firedAlert(), link, { repeats: 4, since }, now);
    assert.equal((body.alert as { repeats: number }).repeats, 4);
    assert.equal((body.alert as { repeatsSince: string }).repeatsSince, "2026-03-02T10:02:00.000Z");
    assert.match(String(body.text), /\(\+4 more since 10:02\) https:/);
  });

  it("Slack: one line with severity, rule, summary, repeats and link", () => {
    const alert = firedAlert({
      rule: "refusal-burst",
      severity: "warning",
      group: { field: "user", value: "alice@example.com", count: 20, windowSeconds: 300 },
    });
    const body = slackBody(alert, link, { repeats: 2, since: Date.parse("2026-03-02T09:58:00Z") });
    assert.deepEqual(Object.keys(body), ["text"]);
    assert.equal(
      body.text,
      `[warning] refusal-burst: alice@example.com exec pods/web-1 in prod/team-a: 20 within 5m for user=alice@example.com (+2 more since 09:58) ${link}`,
    );
  });
});
