import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeRequest, type RequestView } from "../../../src/cli/output/request-view.ts";

const pending: RequestView = {
  id: "r1",
  requester: "dev@example.com",
  cluster: "prod",
  role: "edit",
  namespaces: ["payments"],
  duration: 1800,
  reason: "INC-9",
  state: "pending",
  createdAt: "2026-11-30T04:00:00.000Z",
  expiresAt: "2026-11-30T05:00:00.000Z",
  approvalsRequired: 2,
  approvals: [],
};

describe("a pending request's line in the CLI", () => {
  it("names who is on call, who may approve it for that", () => {
    assert.equal(
      describeRequest({ ...pending, onCall: { schedule: "sre-primary", people: ["olive@example.com"] } }),
      "Request r1 for edit in payments on prod is pending: 0 of 2 approval(s). On call (sre-primary): olive@example.com.",
    );
  });

  it("says nothing of on-call duty where the rule names no schedule, or it has a gap", () => {
    assert.equal(
      describeRequest(pending),
      "Request r1 for edit in payments on prod is pending: 0 of 2 approval(s).",
    );
    assert.equal(
      describeRequest({ ...pending, onCall: { schedule: "sre-primary", people: [] } }),
      "Request r1 for edit in payments on prod is pending: 0 of 2 approval(s).",
    );
  });
});
