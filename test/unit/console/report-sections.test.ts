import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { reportLayout } from "../../../src/console/ui/report-sections.ts";
import type {
  AccessReport,
  RbacReport,
  ReviewReport,
  UnusedReport,
  UsageReport,
} from "../../../src/console/ui/report-types.ts";

const NOW = Date.parse("2026-03-10T12:00:00Z");
const window = { since: 7 * 86400, from: "2026-03-03T12:00:00.000Z", to: "2026-03-10T12:00:00.000Z" };
const counts = {
  count: 3,
  denied: 1,
  execSessions: 0,
  firstSeen: "2026-03-10T09:00:00.000Z",
  lastSeen: "2026-03-10T11:00:00.000Z",
};

describe("a report's layout, as the CLI's tables", () => {
  it("usage: one row per permission, the role's grants when asked by role", () => {
    const report: UsageReport = {
      kind: "UsageReport",
      window,
      filter: { role: "edit" },
      items: [
        {
          ...counts,
          names: ["web-1"],
          cluster: "test",
          namespace: "team-a",
          verb: "get",
          apiGroup: "apps",
          resource: "deployments",
          subresource: "scale",
          users: ["dev@example.com"],
          roles: ["edit"],
        },
      ],
      granted: {
        permissions: [
          { cluster: "test", role: "edit", verb: "delete", apiGroup: "", resource: "pods", used: 0 },
        ],
        skipped: [{ cluster: "test-2", reason: "unreachable" }],
      },
    };
    const layout = reportLayout("usage", report, NOW);
    assert.deepEqual(layout.sections[0]!.headers, [
      "cluster",
      "namespace",
      "verb",
      "resource",
      "names",
      "count",
      "denied",
      "first seen",
      "last seen",
      "users",
      "roles",
    ]);
    assert.deepEqual(layout.sections[0]!.rows, [
      [
        "test",
        "team-a",
        "get",
        "deployments.apps/scale",
        "web-1",
        "3",
        "1",
        "3h ago",
        "1h ago",
        "dev@example.com",
        "edit",
      ],
    ]);
    assert.deepEqual(layout.sections[1]!.rows, [["test", "edit", "delete", "pods", "0"]]);
    assert.deepEqual(layout.summary, [
      "1 permission used, 3 requests, 1 denied.",
      "Window: the last 7d (from 7d ago).",
      "Cluster test-2 skipped: unreachable",
    ]);
  });

  it("access: one row per person, place and resource, verbs with their counts", () => {
    const report: AccessReport = {
      kind: "AccessReport",
      window,
      filter: {},
      items: [
        {
          ...counts,
          names: "many",
          user: "dev@example.com",
          cluster: "test",
          namespace: "team-a",
          apiGroup: "",
          resource: "secrets",
          subresource: "",
          verbs: { get: 2, list: 1 },
        },
      ],
    };
    const layout = reportLayout("access", report, NOW);
    assert.deepEqual(layout.sections[0]!.rows, [
      [
        "dev@example.com",
        "test",
        "team-a",
        "secrets",
        "get (2), list (1)",
        "3",
        "1",
        "0",
        "3h ago",
        "1h ago",
      ],
    ]);
    assert.equal(layout.summary[0], "1 person, 3 requests, 1 denied.");
  });

  it("unused: a section per kind, the unused permissions folded per role and resource", () => {
    const report: UnusedReport = {
      kind: "UnusedReport",
      window,
      filter: {},
      roles: [{ role: "admin", clusterRole: "admin" }],
      standingRules: [
        {
          index: 0,
          subjects: { users: ["a@x"], groups: ["sre"] },
          clusters: ["test"],
          roles: ["view"],
          namespaces: ["team-*"],
        },
      ],
      ciRules: [],
      people: [{ user: "a@x", rule: 0, roles: ["view"], clusters: ["test"] }],
      permissions: [
        { cluster: "test", role: "edit", verb: "delete", apiGroup: "", resource: "pods", used: 0 },
        { cluster: "test", role: "edit", verb: "patch", apiGroup: "", resource: "pods", used: 0 },
      ],
      skipped: [],
    };
    const layout = reportLayout("unused", report, NOW);
    assert.deepEqual(
      layout.sections.map((s) => s.rows.length),
      [1, 1, 0, 1, 1],
    );
    assert.deepEqual(layout.sections[1]!.rows[0], ["0", "a@x, group:sre", "test", "view", "team-*"]);
    assert.deepEqual(layout.sections[4]!.rows, [["test", "edit", "pods", "delete, patch"]]);
  });

  it("review: the summary, then standing access per principal and the grants", () => {
    const grant = {
      id: "g-1",
      user: "b@x",
      cluster: "test",
      role: "admin",
      origin: "request",
      namespaces: [],
      startedAt: "2026-03-10T10:00:00.000Z",
    };
    const report: ReviewReport = {
      kind: "ReviewReport",
      generatedAt: "2026-03-10T12:00:00.000Z",
      window,
      cluster: null,
      unusedFor: 86400,
      olderThan: 3600,
      coverage: "people who signed in",
      summary: { principals: 1, unused: 1, openGrants: 1, privilegedGrants: 1, breakGlassGrants: 0 },
      standingRules: [
        {
          index: 0,
          subjects: { users: [], groups: ["sre"] },
          clusters: ["test"],
          roles: ["view"],
          namespaces: [],
          principals: [{ user: "a@x", lastUsed: null, unused: true }],
        },
      ],
      openGrants: [{ ...grant, ageSeconds: 7200 }],
      privilegedGrants: [{ ...grant, why: "role admin is privileged" }],
      breakGlassGrants: [],
    };
    const layout = reportLayout("review", report, NOW);
    assert.match(layout.summary[0]!, /^Access review of every cluster: 1 of 1 standing principals unused/);
    assert.deepEqual(layout.sections[0]!.rows, [["0", "a@x", "view", "test", "never", "yes"]]);
    assert.deepEqual(layout.sections[2]!.rows[0], [
      "g-1",
      "b@x",
      "test",
      "admin",
      "request",
      "(cluster-wide)",
      "2h ago",
      "role admin is privileged",
    ]);
  });

  it("rbac: the counts, then one row per finding with its severity as a badge", () => {
    const report: RbacReport = {
      cluster: "test",
      scannedAt: "2026-03-10T12:00:00.000Z",
      summary: { critical: 0, high: 0, medium: 0, drift: 1 },
      findings: [
        {
          severity: "drift",
          check: "direct-binding",
          subject: "User bob@example.com",
          scope: "team-a",
          what: "bound directly",
          via: "RoleBinding team-a/bob",
          fix: "delete it",
        },
      ],
      skipped: [{ check: "legacy-token", reason: "may not list Secrets" }],
      excluded: [{ binding: "x", role: "y", subjects: [], reason: "default" }],
    };
    const layout = reportLayout("rbac", report, NOW);
    assert.deepEqual(layout.summary, [
      "0 critical, 0 high, 0 medium, 1 drift in cluster test (scanned now).",
      "Skipped legacy-token: may not list Secrets",
      "Left out 1 default binding of a fresh cluster and kube-broker's own.",
    ]);
    assert.equal(layout.sections[0]!.severityColumn, 0);
    assert.deepEqual(layout.sections[0]!.rows[0]!.slice(0, 3), [
      "drift",
      "direct-binding",
      "User bob@example.com",
    ]);
  });
});
