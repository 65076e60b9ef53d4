import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canApprove } from "../../../src/policy/approvals.ts";
import { isOnCall } from "../../../src/policy/on-call.ts";
import { configWith, person } from "../../support/fakes/policy-config.ts";

const dev = person("dev@example.com", ["devs"]);
const olive = person("olive@example.com", ["devs"]);
const sre = person("sre@example.com", ["sre"]);
const schedules = { onCall: { schedules: [{ name: "sre-primary", file: "/etc/oncall.ics" }] } };
const config = (approve: "alone" | "as-approver" | "no") =>
  configWith(
    {
      requests: [
        {
          subjects: { groups: ["devs"] },
          roles: ["edit"],
          namespaces: ["payments"],
          approvers: { groups: ["sre"] },
          approvals: 2,
          onCall: { schedule: "sre-primary", approve },
        },
      ],
    },
    schedules,
  );
const ask = { cluster: "prod", role: "edit", namespaces: ["payments"] };
const onCall = { schedule: "sre-primary", people: ["Olive@Example.com"] };

describe("approvals by the person on call", () => {
  it("approve: alone — the person on call when it was asked approves it alone, approver or not", () => {
    assert.deepEqual(canApprove(config("alone"), olive, { requester: dev, ...ask, onCall }), {
      allowed: true,
      onCall: { schedule: "sre-primary", alone: true },
    });
  });

  it("approve: as-approver — counts as one approval of those needed", () => {
    assert.deepEqual(canApprove(config("as-approver"), olive, { requester: dev, ...ask, onCall }), {
      allowed: true,
      onCall: { schedule: "sre-primary", alone: false },
    });
  });

  it("approve: no — being on call gives no right to approve", () => {
    assert.equal(canApprove(config("no"), olive, { requester: dev, ...ask, onCall }).allowed, false);
  });

  it("never their own request", () => {
    const decision = canApprove(config("alone"), olive, { requester: olive, ...ask, onCall });
    assert.equal(decision.allowed, false);
    assert.match(decision.allowed ? "" : decision.reason, /cannot approve your own request/);
  });

  it("only who was on call when it was asked, and only under the schedule the rule still names", () => {
    assert.equal(
      canApprove(config("alone"), olive, { requester: dev, ...ask }).allowed,
      false,
      "no snapshot",
    );
    const other = { schedule: "sre-secondary", people: ["olive@example.com"] };
    assert.equal(
      canApprove(config("alone"), olive, { requester: dev, ...ask, onCall: other }).allowed,
      false,
    );
  });

  it("an approver of the rule who is not on call approves as before", () => {
    assert.deepEqual(canApprove(config("alone"), sre, { requester: dev, ...ask, onCall }), { allowed: true });
  });

  it("a CI job is never on call", () => {
    assert.equal(isOnCall({ ...olive, kind: "ci" }, ["olive@example.com"]), false);
    assert.equal(isOnCall(olive, []), false);
  });
});
