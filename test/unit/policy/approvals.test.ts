import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ApprovalDecision, canApprove } from "../../../src/policy/approvals.ts";
import { configWith, person } from "../../support/fakes/policy-config.ts";

const dev = person("dev@example.com", ["devs", "sre"]);
const sre = person("sre@example.com", ["sre"]);
const lead = person("lead@example.com", ["leads"]);
const request = { requester: dev, cluster: "prod", role: "edit", namespaces: ["payments"] };
const config = configWith({
  requests: [
    {
      subjects: { groups: ["devs"] },
      roles: ["edit"],
      namespaces: ["payments"],
      approvers: { users: ["boss@example.com"], groups: ["sre"] },
      maxDuration: "2h",
    },
    // Covers the same ask but for less time, so it does not govern it.
    {
      subjects: { groups: ["devs"] },
      roles: ["edit"],
      namespaces: ["payments"],
      approvers: { groups: ["leads"] },
      maxDuration: "1h",
    },
  ],
});

function refusal(decision: ApprovalDecision): string {
  assert.equal(decision.allowed, false);
  return decision.allowed ? "" : decision.reason;
}

describe("canApprove", () => {
  it("lets an approver of the governing rule approve, by group or by user", () => {
    assert.deepEqual(canApprove(config, sre, request), { allowed: true });
    assert.deepEqual(canApprove(config, person("boss@example.com"), request), { allowed: true });
  });

  it("never lets requesters approve their own request, even when they are approvers", () => {
    assert.equal(
      refusal(canApprove(config, dev, request)),
      "you cannot approve your own request; another approver has to",
    );
    const sameSubject = { ...sre, subject: dev.subject };
    assert.equal(canApprove(config, sameSubject, request).allowed, false);
  });

  it("refuses someone who is not an approver, without naming the approvers", () => {
    const reason = refusal(canApprove(config, person("eve@example.com", ["devs"]), request));
    assert.equal(
      reason,
      'eve@example.com is not an approver for requests for role "edit" in namespace "payments" of cluster "prod"',
    );
    assert.doesNotMatch(reason, /boss|sre/);
  });

  it("counts only the approvers of the rule that governs the request", () => {
    assert.equal(canApprove(config, lead, request).allowed, false);
  });

  it("refuses every approval once no rule covers the request any more", () => {
    const moved = { ...request, namespaces: ["kube-system"] };
    assert.match(
      refusal(canApprove(config, sre, moved)),
      /no request policy covers this request .* any more/,
    );
    const stranger = { ...request, requester: person("eve@example.com", ["ops"]) };
    assert.equal(canApprove(config, sre, stranger).allowed, false);
  });
});
