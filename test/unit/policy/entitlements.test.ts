import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { entitlements } from "../../../src/policy/entitlements.ts";
import { decideStanding } from "../../../src/policy/standing.ts";
import { configWith, person } from "../../support/fakes/policy-config.ts";

const dev = person("dev@example.com", ["devs", "oncall"]);

describe("entitlements", () => {
  it("is empty with no policies", () => {
    assert.deepEqual(entitlements(configWith({}), dev), { standing: [], requestable: [] });
  });

  it("lists standing access per cluster and role, merging rules on the same place", () => {
    const config = configWith({
      standing: [
        {
          subjects: { groups: ["devs"] },
          roles: ["view", "cluster-reader"],
          namespaces: ["team-*", "default"],
        },
        {
          subjects: { users: ["dev@example.com"] },
          clusters: ["prod"],
          roles: ["view"],
          namespaces: ["default", "team-*"],
          maxTtl: "1h",
        },
        { subjects: { groups: ["ops"] }, roles: ["edit"], namespaces: ["*"] },
      ],
    });
    assert.deepEqual(entitlements(config, dev).standing, [
      { cluster: "prod", role: "cluster-reader", scope: "cluster", namespaces: [], maxTtlSeconds: 4 * 3600 },
      {
        cluster: "prod",
        role: "view",
        scope: "namespaced",
        namespaces: ["default", "team-*"],
        maxTtlSeconds: 8 * 3600,
      },
      {
        cluster: "staging",
        role: "cluster-reader",
        scope: "cluster",
        namespaces: [],
        maxTtlSeconds: 4 * 3600,
      },
      {
        cluster: "staging",
        role: "view",
        scope: "namespaced",
        namespaces: ["default", "team-*"],
        maxTtlSeconds: 8 * 3600,
      },
    ]);
  });

  it("lists what may be requested, on the governing rule's terms", () => {
    const config = configWith({
      requests: [
        {
          subjects: { groups: ["devs"] },
          clusters: ["prod"],
          roles: ["edit"],
          namespaces: ["payments"],
          approvers: { groups: ["sre"] },
          maxDuration: "30m",
        },
        {
          subjects: { groups: ["devs"] },
          clusters: ["prod"],
          roles: ["edit", "logs"],
          namespaces: ["payments"],
          approvers: { groups: ["leads"] },
          approvals: 2,
          autoApprove: { groups: ["oncall"] },
          reasonRequired: false,
        },
      ],
    });
    assert.deepEqual(entitlements(config, dev).requestable, [
      {
        cluster: "prod",
        role: "edit",
        scope: "namespaced",
        namespaces: ["payments"],
        maxDurationSeconds: 7200,
        approvers: { users: [], groups: ["leads"] },
        approvalsRequired: 2,
        reasonRequired: false,
        autoApprove: true,
      },
      {
        cluster: "prod",
        role: "logs",
        scope: "namespaced",
        namespaces: ["payments"],
        maxDurationSeconds: 3600,
        approvers: { users: [], groups: ["leads"] },
        approvalsRequired: 2,
        reasonRequired: false,
        autoApprove: true,
      },
    ]);
  });

  it("shows nothing from rules about other people", () => {
    const config = configWith({
      standing: [{ subjects: { users: ["alice@example.com"] }, roles: ["view"], namespaces: ["*"] }],
      requests: [
        { subjects: { groups: ["ops"] }, roles: ["edit"], namespaces: ["*"], approvers: { groups: ["sre"] } },
      ],
    });
    assert.deepEqual(entitlements(config, dev), { standing: [], requestable: [] });
  });

  it("agrees with the decisions it summarizes", () => {
    const config = configWith({
      standing: [
        {
          subjects: { groups: ["devs"] },
          clusters: ["staging"],
          roles: ["edit"],
          namespaces: ["team-*"],
          maxTtl: "45m",
        },
      ],
    });
    const [entry] = entitlements(config, dev).standing;
    assert.ok(entry);
    const decision = decideStanding(config, dev, {
      cluster: entry.cluster,
      role: entry.role,
      namespaces: ["team-a"],
    });
    assert.deepEqual(decision, { allowed: true, maxTtlSeconds: entry.maxTtlSeconds });
  });
});
