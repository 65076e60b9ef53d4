import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  clustersOf,
  defaultDuration,
  durationChoices,
  literalNamespaces,
  parseNamespaces,
  requestBody,
  rolesOn,
  termsFor,
} from "../../../src/console/ui/request-choices.ts";
import type { RequestableEntitlement } from "../../../src/console/ui/types.ts";

function entitlement(overrides: Partial<RequestableEntitlement>): RequestableEntitlement {
  return {
    cluster: "dev",
    role: "edit",
    scope: "namespaced",
    namespaces: ["default", "team-*"],
    maxDurationSeconds: 7200,
    approvalsRequired: 1,
    reasonRequired: true,
    autoApprove: false,
    ...overrides,
  };
}

describe("request choices", () => {
  const requestable = [
    entitlement({}),
    entitlement({ role: "admin", approvalsRequired: 2 }),
    entitlement({ cluster: "prod", role: "view", scope: "cluster", namespaces: [] }),
    entitlement({ namespaces: ["payments"], maxDurationSeconds: 14_400, reasonRequired: false }),
  ];

  it("offers each cluster once, and the roles on the chosen one", () => {
    assert.deepEqual(clustersOf(requestable), ["dev", "prod"]);
    assert.deepEqual(rolesOn(requestable, "dev"), ["admin", "edit"]);
    assert.deepEqual(rolesOn(requestable, "prod"), ["view"]);
  });

  it("merges the rules on one cluster and role the generous way", () => {
    const terms = termsFor(requestable, "dev", "edit")!;
    assert.deepEqual(terms.namespaces, ["default", "payments", "team-*"]);
    assert.equal(terms.maxDurationSeconds, 14_400);
    assert.equal(terms.reasonRequired, false);
    assert.equal(termsFor(requestable, "prod", "edit"), undefined);
  });

  it("offers durations up to the maximum, the maximum included", () => {
    assert.deepEqual(durationChoices(7200), ["15m", "30m", "1h", "2h"]);
    assert.deepEqual(durationChoices(5400), ["15m", "30m", "1h", "1h30m"]);
    assert.deepEqual(durationChoices(600), ["10m"]);
    assert.deepEqual(durationChoices(0), []);
    assert.equal(defaultDuration(["15m", "30m", "1h", "2h"]), "1h");
    assert.equal(defaultDuration(["15m", "30m"]), "30m");
  });

  it("reads namespaces separated by commas or spaces", () => {
    assert.deepEqual(parseNamespaces(" team-a, payments  team-a,,"), ["team-a", "payments"]);
    assert.deepEqual(literalNamespaces(["default", "team-*", "a?c"]), ["default"]);
  });

  it("builds the POST /v1/requests body; a cluster-wide role takes no namespaces", () => {
    const form = { cluster: "dev", role: "edit", namespaces: "team-a", duration: "30m", reason: "INC-1" };
    assert.deepEqual(requestBody(form, termsFor(requestable, "dev", "edit")), {
      cluster: "dev",
      role: "edit",
      namespaces: ["team-a"],
      duration: "30m",
      reason: "INC-1",
    });
    const clusterWide = { ...form, cluster: "prod", role: "view" };
    assert.deepEqual(requestBody(clusterWide, termsFor(requestable, "prod", "view")), {
      cluster: "prod",
      role: "view",
      duration: "30m",
      reason: "INC-1",
    });
  });
});
