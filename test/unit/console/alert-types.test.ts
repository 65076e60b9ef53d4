import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  actionOutcome,
  actionRecordsPath,
  alertListPath,
  alertWhat,
  filterQuery,
  type LoggedAlert,
  mergeAlerts,
  parseAlertFilters,
  placeOf,
} from "../../../src/console/ui/alert-types.ts";

function alert(id: string, streamId: string, overrides: Partial<LoggedAlert> = {}): LoggedAlert {
  return {
    id,
    streamId,
    rule: "secret-read",
    severity: "warning",
    description: "A Secret was read",
    at: "2026-03-01T10:00:00.000Z",
    record: {
      type: "request",
      id: `r-${id}`,
      ts: "2026-03-01T10:00:00.000Z",
      cluster: "prod",
      user: "dev@example.com",
      groups: "developers",
      grant: "g-1",
      role: "edit",
      serviceAccount: "kb-g-1",
      grantKind: "standing",
      namespace: "team-a",
      detail: "",
      verb: "get",
      apiGroup: "",
      resource: "secrets",
      subresource: "",
      name: "db-password",
      path: "/api/v1/namespaces/team-a/secrets/db-password",
      status: "200",
      sourceIp: "127.0.0.1",
      kubectlCommand: "kubectl get secret db-password",
      decision: "allowed",
    },
    ...overrides,
  };
}

describe("the Alerts page's filters", () => {
  it("reads them from the URL, ignoring a severity the API does not know", () => {
    assert.deepEqual(parseAlertFilters("?severity=warning&rule=secret-read&cluster=prod&since=7d"), {
      severity: "warning",
      rule: "secret-read",
      user: "",
      cluster: "prod",
      since: "7d",
    });
    assert.deepEqual(parseAlertFilters("?severity=loud"), {
      severity: "",
      rule: "",
      user: "",
      cluster: "",
      since: "24h",
    });
  });

  it("writes the page's URL without defaults, the stream's without since, the list's with it", () => {
    const filters = parseAlertFilters("?severity=critical&user=dev%40example.com");
    assert.equal(filterQuery(filters), "severity=critical&user=dev%40example.com");
    assert.equal(
      filterQuery({ ...filters, since: "7d" }, { stream: true }),
      "severity=critical&user=dev%40example.com",
    );
    assert.equal(alertListPath(filters), "/v1/alerts?severity=critical&user=dev%40example.com&since=24h");
    assert.equal(
      alertListPath({ ...filters, since: "7d" }, "1700000000000-0"),
      "/v1/alerts?severity=critical&user=dev%40example.com&since=7d&cursor=1700000000000-0",
    );
    assert.equal(filterQuery(parseAlertFilters("")), "");
  });
});

describe("alerts arriving live", () => {
  it("join the list newest first by their place in the log, each once", () => {
    const listed = [alert("b", "1700000000002-0"), alert("a", "1700000000001-0")];
    const merged = mergeAlerts(listed, [alert("c", "1700000000003-0"), alert("b", "1700000000002-0")]);
    assert.deepEqual(
      merged.map((a) => a.id),
      ["c", "b", "a"],
    );
    // The sequence number orders alerts of the same millisecond.
    assert.deepEqual(
      mergeAlerts([alert("x", "5-1")], [alert("y", "5-10")]).map((a) => a.id),
      ["y", "x"],
    );
  });
});

describe("how an alert is described", () => {
  it("says what a request did, and where", () => {
    assert.equal(alertWhat(alert("a", "1-0")), "get secrets db-password (allowed)");
    assert.equal(placeOf(alert("a", "1-0")), "prod/team-a");
  });

  it("says a lifecycle event, a threshold's count and a first sighting", () => {
    const base = alert("a", "1-0");
    const lifecycle = {
      ...base,
      record: {
        ...base.record,
        type: "lifecycle" as const,
        event: "grant.started",
        request: "",
        namespace: "",
      },
      group: { field: "user", value: "dev@example.com", count: 20, windowSeconds: 300 },
      firstSeen: { field: "sourceIp", value: "10.0.0.1", days: 30 },
    } as LoggedAlert;
    assert.equal(alertWhat(lifecycle), "grant.started edit; 20 in 5m; first sourceIp 10.0.0.1");
    assert.equal(placeOf(lifecycle), "prod");
  });
});

describe("the outcome of a rule's action", () => {
  it("is read from the rule's alert.action record from the alert's time on", () => {
    const fired = alert("a", "1-0", { action: { kind: "revoke-grant", dryRun: true } });
    assert.equal(
      actionRecordsPath(fired),
      "/v1/audit?type=lifecycle&since=2026-03-01T10%3A00%3A00.000Z&order=asc&limit=200&user=dev%40example.com&cluster=prod",
    );
    const items = [
      {
        type: "lifecycle",
        ts: "2026-03-01T09:59:00.000Z",
        event: "alert.action",
        detail: "alert rule secret-read: earlier",
      },
      { type: "lifecycle", ts: "2026-03-01T10:00:01.000Z", event: "grant.started", detail: "" },
      {
        type: "lifecycle",
        ts: "2026-03-01T10:00:01.000Z",
        event: "alert.action",
        detail: "alert rule other: no",
      },
      {
        type: "lifecycle",
        ts: "2026-03-01T10:00:01.000Z",
        event: "alert.action",
        detail: "alert rule secret-read: would revoke grant g-1 of dev@example.com on prod (dry run: yes)",
      },
    ];
    assert.equal(
      actionOutcome(items, fired),
      "would revoke grant g-1 of dev@example.com on prod (dry run: yes)",
    );
    assert.equal(actionOutcome(items.slice(0, 3), fired), undefined);
  });
});
