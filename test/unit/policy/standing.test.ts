import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AccessAsk } from "../../../src/policy/ask.ts";
import type { StandingDecision } from "../../../src/policy/standing.ts";
import { decideStanding } from "../../../src/policy/standing.ts";
import { configWith, person } from "../../support/fakes/policy-config.ts";

const dev = person("dev@example.com", ["devs"]);
const editInTeamA: AccessAsk = { cluster: "prod", role: "edit", namespaces: ["team-a"] };

function ttl(decision: StandingDecision): number {
  assert.ok(decision.allowed, decision.allowed ? "" : decision.reason);
  return decision.maxTtlSeconds;
}

function refusal(decision: StandingDecision): string {
  assert.equal(decision.allowed, false);
  return decision.allowed ? "" : decision.reason;
}

const devsEditTeams = {
  subjects: { groups: ["devs"] },
  clusters: ["prod"],
  roles: ["edit"],
  namespaces: ["team-*"],
};

describe("decideStanding", () => {
  it("denies everything when there are no policies", () => {
    const config = configWith({});
    for (const ask of [
      editInTeamA,
      { cluster: "prod", role: "view", namespaces: ["default"] },
      { cluster: "staging", role: "cluster-reader", namespaces: [] },
    ]) {
      const decision = decideStanding(config, dev, ask);
      assert.equal(decision.allowed, false);
      assert.equal(!decision.allowed && decision.kind, "denied");
    }
  });

  it("allows what a rule covers, up to the role's maxTtl", () => {
    assert.equal(ttl(decideStanding(configWith({ standing: [devsEditTeams] }), dev, editInTeamA)), 2 * 3600);
  });

  it("refuses another subject", () => {
    const config = configWith({ standing: [devsEditTeams] });
    const reason = refusal(decideStanding(config, person("eve@example.com", ["ops"]), editInTeamA));
    assert.match(
      reason,
      /^no policy lets eve@example.com hold role "edit" in namespace "team-a" of cluster "prod"/,
    );
  });

  it("refuses another cluster", () => {
    const config = configWith({ standing: [devsEditTeams] });
    const reason = refusal(decideStanding(config, dev, { ...editInTeamA, cluster: "staging" }));
    assert.match(reason, /in namespace "team-a" of cluster "staging"/);
  });

  it("refuses another role", () => {
    const config = configWith({ standing: [devsEditTeams] });
    assert.match(
      refusal(decideStanding(config, dev, { ...editInTeamA, role: "view" })),
      /hold role "view" in namespace "team-a"/,
    );
  });

  it("refuses when one namespace of several is outside the rule, and names only that one", () => {
    const config = configWith({ standing: [devsEditTeams] });
    const reason = refusal(
      decideStanding(config, dev, { ...editInTeamA, namespaces: ["team-a", "payments", "team-b"] }),
    );
    assert.match(
      reason,
      /^no policy lets dev@example.com hold role "edit" in namespace "payments" of cluster "prod"/,
    );
    assert.doesNotMatch(reason, /team-a/);
  });

  it("allows several namespaces that one rule covers", () => {
    const config = configWith({ standing: [devsEditTeams] });
    assert.equal(
      ttl(decideStanding(config, dev, { ...editInTeamA, namespaces: ["team-a", "team-b"] })),
      7200,
    );
  });

  it("matches namespace globs on the whole name", () => {
    const config = configWith({ standing: [devsEditTeams] });
    assert.ok(decideStanding(config, dev, { ...editInTeamA, namespaces: ["team-a"] }).allowed);
    assert.equal(decideStanding(config, dev, { ...editInTeamA, namespaces: ["teamx"] }).allowed, false);
    assert.equal(
      decideStanding(config, dev, { ...editInTeamA, namespaces: ["other-team-a"] }).allowed,
      false,
    );
  });

  it("explains when each namespace is allowed by some rule but no rule allows them all", () => {
    const config = configWith({
      standing: [
        { ...devsEditTeams, namespaces: ["team-a"] },
        { ...devsEditTeams, namespaces: ["team-b"] },
      ],
    });
    const reason = refusal(decideStanding(config, dev, { ...editInTeamA, namespaces: ["team-a", "team-b"] }));
    assert.match(
      reason,
      /^no single policy lets dev@example.com hold role "edit" in namespaces "team-a", "team-b"/,
    );
    assert.match(reason, /ask for each namespace separately/);
  });

  it("matches users by exact name and by glob", () => {
    const byUser = configWith({ standing: [{ ...devsEditTeams, subjects: { users: ["dev@example.com"] } }] });
    assert.ok(decideStanding(byUser, person("dev@example.com"), editInTeamA).allowed);
    assert.equal(decideStanding(byUser, person("dev2@example.com"), editInTeamA).allowed, false);
    const byDomain = configWith({ standing: [{ ...devsEditTeams, subjects: { users: ["*@example.com"] } }] });
    assert.ok(decideStanding(byDomain, person("anyone@example.com"), editInTeamA).allowed);
    assert.equal(decideStanding(byDomain, person("anyone@example.org"), editInTeamA).allowed, false);
  });

  it("matches clusters by name and by *", () => {
    for (const clusters of [["prod"], ["*"], ["staging", "prod"]]) {
      assert.ok(
        decideStanding(configWith({ standing: [{ ...devsEditTeams, clusters }] }), dev, editInTeamA).allowed,
      );
    }
    const star = configWith({ standing: [{ ...devsEditTeams, clusters: ["*"] }] });
    assert.ok(decideStanding(star, dev, { ...editInTeamA, cluster: "staging" }).allowed);
  });

  it("matches cluster globs, which the config check does not accept yet", () => {
    const config = configWith({ standing: [devsEditTeams] });
    config.policies.standing[0]!.clusters = ["pro?"];
    assert.ok(decideStanding(config, dev, editInTeamA).allowed);
    assert.equal(decideStanding(config, dev, { ...editInTeamA, cluster: "staging" }).allowed, false);
  });

  it("refuses an unknown role or cluster as invalid input", () => {
    const config = configWith({ standing: [{ ...devsEditTeams, clusters: ["*"] }] });
    const unknownRole = decideStanding(config, dev, { ...editInTeamA, role: "root" });
    assert.deepEqual(unknownRole, {
      allowed: false,
      kind: "invalid",
      reason: 'role "root" does not exist on this broker',
    });
    const unknownCluster = decideStanding(config, dev, { ...editInTeamA, cluster: "moon" });
    assert.deepEqual(unknownCluster, {
      allowed: false,
      kind: "invalid",
      reason: 'cluster "moon" is not served by this broker',
    });
  });

  it("requires at least one valid namespace for a namespaced role", () => {
    const config = configWith({ standing: [devsEditTeams] });
    const none = decideStanding(config, dev, { ...editInTeamA, namespaces: [] });
    assert.equal(!none.allowed && none.kind, "invalid");
    assert.match(refusal(none), /role "edit" is held in namespaces: name at least one with -n/);
    for (const bad of ["Team-A", "team_a", "-team", "", "a".repeat(64), "team-a/x", "*"]) {
      const decision = decideStanding(config, dev, { ...editInTeamA, namespaces: [bad] });
      assert.equal(!decision.allowed && decision.kind, "invalid", bad);
      assert.match(refusal(decision), /is not a valid namespace name/);
    }
    const twice = decideStanding(config, dev, { ...editInTeamA, namespaces: ["team-a", "team-a"] });
    assert.match(refusal(twice), /namespace "team-a" is listed twice/);
  });

  it("grants cluster-scoped roles without namespaces and refuses them with namespaces", () => {
    const config = configWith({
      standing: [{ subjects: { groups: ["devs"] }, roles: ["cluster-reader"], namespaces: ["team-*"] }],
    });
    const ask = { cluster: "prod", role: "cluster-reader", namespaces: [] };
    assert.equal(ttl(decideStanding(config, dev, ask)), 4 * 3600);
    const withNamespace = decideStanding(config, dev, { ...ask, namespaces: ["team-a"] });
    assert.equal(!withNamespace.allowed && withNamespace.kind, "invalid");
    assert.match(refusal(withNamespace), /applies to the whole cluster and takes no namespace/);
  });

  it("names the cluster alone when refusing a cluster-scoped role", () => {
    const reason = refusal(
      decideStanding(configWith({}), dev, { cluster: "prod", role: "cluster-reader", namespaces: [] }),
    );
    assert.match(reason, /^no policy lets dev@example.com hold role "cluster-reader" in cluster "prod";/);
  });

  it("caps the TTL by the rule and by the role", () => {
    const shorter = configWith({ standing: [{ ...devsEditTeams, maxTtl: "30m" }] });
    assert.equal(ttl(decideStanding(shorter, dev, editInTeamA)), 1800);
    const longer = configWith({ standing: [{ ...devsEditTeams, maxTtl: "24h" }] });
    assert.equal(ttl(decideStanding(longer, dev, editInTeamA)), 7200, "role edit's maxTtl is 2h");
  });

  it("takes the most generous of several covering rules", () => {
    const config = configWith({
      standing: [
        { ...devsEditTeams, maxTtl: "15m" },
        { ...devsEditTeams, subjects: { users: ["dev@example.com"] }, namespaces: ["team-a"], maxTtl: "90m" },
        { ...devsEditTeams, maxTtl: "1h" },
        { ...devsEditTeams, subjects: { groups: ["ops"] }, maxTtl: "2h" },
      ],
    });
    assert.equal(ttl(decideStanding(config, dev, editInTeamA)), 5400);
    assert.equal(ttl(decideStanding(config, dev, { ...editInTeamA, namespaces: ["team-b"] })), 3600);
  });

  it("points at kubectl broker request when a request rule covers the ask", () => {
    const config = configWith({
      requests: [{ ...devsEditTeams, namespaces: ["payments"], approvers: { groups: ["sre"] } }],
    });
    const reason = refusal(decideStanding(config, dev, { ...editInTeamA, namespaces: ["payments"] }));
    assert.equal(
      reason,
      'no policy lets dev@example.com hold role "edit" in namespace "payments" of cluster "prod"; ' +
        "ask for it with kubectl broker request",
    );
    assert.match(refusal(decideStanding(config, dev, editInTeamA)), /no request policy covers it either/);
  });

  it("never names other people in a refusal", () => {
    const config = configWith({
      standing: [{ ...devsEditTeams, subjects: { users: ["alice@example.com"], groups: ["secret-team"] } }],
      requests: [{ ...devsEditTeams, approvers: { users: ["bob@example.com"] } }],
    });
    const reason = refusal(decideStanding(config, person("eve@example.com"), editInTeamA));
    assert.doesNotMatch(reason, /alice|bob|secret-team/);
  });
});
