import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AccessAsk } from "../../../src/policy/ask.ts";
import type { RequestDecision } from "../../../src/policy/requests.ts";
import { decideRequest } from "../../../src/policy/requests.ts";
import { configWith, person } from "../../support/fakes/policy-config.ts";

const dev = person("dev@example.com", ["devs"]);
const editInPayments: AccessAsk = { cluster: "prod", role: "edit", namespaces: ["payments"] };
const devsMayRequestEdit = {
  subjects: { groups: ["devs"] },
  clusters: ["prod"],
  roles: ["edit", "logs", "cluster-reader"],
  namespaces: ["payments", "team-*"],
  approvers: { groups: ["sre"] },
};

function granted(decision: RequestDecision): Extract<RequestDecision, { allowed: true }> {
  assert.ok(decision.allowed, decision.allowed ? "" : decision.reason);
  return decision;
}

function refusal(decision: RequestDecision): string {
  assert.equal(decision.allowed, false);
  return decision.allowed ? "" : decision.reason;
}

describe("decideRequest", () => {
  it("denies everything when there are no request rules", () => {
    const decision = decideRequest(configWith({}), dev, editInPayments);
    assert.equal(!decision.allowed && decision.kind, "denied");
    assert.equal(
      refusal(decision),
      'no policy lets dev@example.com request role "edit" in namespace "payments" of cluster "prod"; ' +
        "ask the broker's administrators for access",
    );
  });

  it("applies the schema's defaults", () => {
    assert.deepEqual(decideRequest(configWith({ requests: [devsMayRequestEdit] }), dev, editInPayments), {
      allowed: true,
      maxDurationSeconds: 2 * 3600, // the rule's default 4h, capped by role edit's 2h
      approvers: { users: [], groups: ["sre"] },
      approvalsRequired: 1,
      reasonRequired: true,
      autoApprove: false,
      pendingTtlSeconds: 3600,
    });
  });

  it("carries the rule's approvers, approvals, reason and pending TTL", () => {
    const config = configWith({
      requests: [
        {
          ...devsMayRequestEdit,
          approvers: { users: ["lead@example.com"], groups: ["sre", "security"] },
          approvals: 2,
          reasonRequired: false,
          pendingTtl: "20m",
          maxDuration: "45m",
        },
      ],
    });
    const decision = granted(decideRequest(config, dev, editInPayments));
    assert.deepEqual(decision.approvers, { users: ["lead@example.com"], groups: ["sre", "security"] });
    assert.equal(decision.approvalsRequired, 2);
    assert.equal(decision.reasonRequired, false);
    assert.equal(decision.pendingTtlSeconds, 1200);
    assert.equal(decision.maxDurationSeconds, 2700);
  });

  it("refuses each mismatch: subject, cluster, role, a namespace of several", () => {
    const config = configWith({ requests: [devsMayRequestEdit] });
    assert.equal(decideRequest(config, person("eve@example.com", ["ops"]), editInPayments).allowed, false);
    assert.equal(decideRequest(config, dev, { ...editInPayments, cluster: "staging" }).allowed, false);
    assert.equal(decideRequest(config, dev, { ...editInPayments, role: "view" }).allowed, false);
    const reason = refusal(
      decideRequest(config, dev, { ...editInPayments, namespaces: ["payments", "kube-system"] }),
    );
    assert.match(reason, /request role "edit" in namespace "kube-system" of cluster "prod"/);
  });

  it("refuses bad input as invalid before looking at policy", () => {
    const config = configWith({ requests: [devsMayRequestEdit] });
    for (const ask of [
      { ...editInPayments, role: "nope" },
      { ...editInPayments, cluster: "nope" },
      { ...editInPayments, namespaces: [] },
      { ...editInPayments, namespaces: ["Payments"] },
      { cluster: "prod", role: "cluster-reader", namespaces: ["payments"] },
    ]) {
      const decision = decideRequest(config, dev, ask);
      assert.equal(!decision.allowed && decision.kind, "invalid", JSON.stringify(ask));
    }
  });

  it("caps the duration by the role's maxTtl", () => {
    const config = configWith({ requests: [{ ...devsMayRequestEdit, maxDuration: "30m" }] });
    assert.equal(granted(decideRequest(config, dev, editInPayments)).maxDurationSeconds, 1800);
    const long = configWith({ requests: [{ ...devsMayRequestEdit, maxDuration: "7d" }] });
    assert.equal(granted(decideRequest(long, dev, editInPayments)).maxDurationSeconds, 7200);
  });

  it("lets the most generous covering rule govern, with its approvers", () => {
    const config = configWith({
      requests: [
        { ...devsMayRequestEdit, maxDuration: "30m", approvers: { groups: ["leads"] } },
        { ...devsMayRequestEdit, maxDuration: "90m", approvers: { groups: ["sre"] }, approvals: 2 },
        {
          ...devsMayRequestEdit,
          subjects: { groups: ["ops"] },
          maxDuration: "2h",
          approvers: { groups: ["x"] },
        },
      ],
    });
    const decision = granted(decideRequest(config, dev, editInPayments));
    assert.equal(decision.maxDurationSeconds, 5400);
    assert.deepEqual(decision.approvers.groups, ["sre"]);
    assert.equal(decision.approvalsRequired, 2);
  });

  it("breaks a tie in duration by auto-approval, then by fewer approvals, then by order", () => {
    const oncall = person("oncall@example.com", ["devs", "oncall"]);
    const config = configWith({
      requests: [
        { ...devsMayRequestEdit, approvals: 3, approvers: { groups: ["first"] } },
        { ...devsMayRequestEdit, approvals: 2, approvers: { groups: ["second"] } },
        { ...devsMayRequestEdit, approvals: 2, approvers: { groups: ["third"] } },
        {
          ...devsMayRequestEdit,
          approvals: 3,
          approvers: { groups: ["fourth"] },
          autoApprove: { groups: ["oncall"] },
        },
      ],
    });
    assert.deepEqual(granted(decideRequest(config, dev, editInPayments)).approvers.groups, ["second"]);
    const forOncall = granted(decideRequest(config, oncall, editInPayments));
    assert.deepEqual(forOncall.approvers.groups, ["fourth"]);
    assert.equal(forOncall.autoApprove, true);
  });

  it("auto-approves members of the rule's autoApprove subjects", () => {
    const config = configWith({ requests: [{ ...devsMayRequestEdit, autoApprove: { groups: ["oncall"] } }] });
    assert.equal(granted(decideRequest(config, dev, editInPayments)).autoApprove, false);
    const oncall = person("pager@example.com", ["devs", "oncall"]);
    assert.equal(granted(decideRequest(config, oncall, editInPayments)).autoApprove, true);
    const byUser = configWith({
      requests: [{ ...devsMayRequestEdit, autoApprove: { users: ["dev@example.com"] } }],
    });
    assert.equal(granted(decideRequest(byUser, dev, editInPayments)).autoApprove, true);
  });

  it("auto-approves low-risk roles for anyone the rule covers", () => {
    const config = configWith({ requests: [devsMayRequestEdit] });
    const logs = granted(decideRequest(config, dev, { ...editInPayments, role: "logs" }));
    assert.equal(logs.autoApprove, true);
    assert.equal(logs.maxDurationSeconds, 3600);
    assert.equal(granted(decideRequest(config, dev, editInPayments)).autoApprove, false);
  });

  it("decides cluster-scoped roles without namespaces", () => {
    const config = configWith({ requests: [devsMayRequestEdit] });
    const decision = granted(
      decideRequest(config, dev, { cluster: "prod", role: "cluster-reader", namespaces: [] }),
    );
    assert.equal(decision.maxDurationSeconds, 4 * 3600);
  });

  it("tells someone who may already hold the access that no request is needed", () => {
    const config = configWith({
      standing: [{ subjects: { groups: ["devs"] }, roles: ["edit"], namespaces: ["payments"] }],
    });
    assert.match(
      refusal(decideRequest(config, dev, editInPayments)),
      /; it needs no approval: get it with kubectl broker kubeconfig$/,
    );
  });
});
