import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../../../src/config/load.ts";
import { configProblems } from "../../../support/fakes/test-config.ts";

const BASE = {
  server: { publicUrl: "https://kb.example.com" },
  redis: { url: "redis://127.0.0.1:6379" },
  oidc: { issuer: "https://idp.example.com", clientId: "kb" },
  clusters: [{ name: "prod", auth: { kind: "in-cluster" } }],
  roles: [{ name: "view", clusterRole: "view" }],
};

function problems(schedule: unknown[]): string[] {
  return configProblems(() => parseConfig({ ...BASE, reports: { schedule } }));
}

describe("reports.schedule in the config", () => {
  it("takes known reports, a known cluster and a period of at least an hour", () => {
    assert.deepEqual(
      problems([
        { report: "rbac", every: "24h", cluster: "prod" },
        { report: "review", every: "7d" },
      ]),
      [],
    );
  });

  it("names the field of each problem", () => {
    assert.deepEqual(problems([{ report: "review", every: "30m" }]), [
      "reports.schedule.0.every: must be at least 1h",
    ]);
    assert.match(problems([{ report: "suggest-role", every: "1h" }])[0]!, /^reports\.schedule\.0\.report: /);
    assert.deepEqual(problems([{ report: "rbac", every: "1h", cluster: "staging" }]), [
      'reports.schedule.0.cluster: unknown cluster "staging"',
    ]);
    assert.deepEqual(
      problems([
        { report: "review", every: "1h" },
        { report: "review", every: "7d" },
      ]),
      ["reports.schedule.1: review (every cluster) is scheduled twice"],
    );
  });
});
