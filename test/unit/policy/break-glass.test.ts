import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AccessAsk } from "../../../src/policy/ask.ts";
import { type BreakGlassDecision, decideBreakGlass } from "../../../src/policy/index.ts";
import { configWith, person } from "../../support/fakes/policy-config.ts";
import { configProblems } from "../../support/fakes/test-config.ts";

const dev = person("dev@example.com", ["devs"]);
const oncall = person("oncall@example.com", ["devs", "oncall"]);
const editInPayments: AccessAsk = { cluster: "prod", role: "edit", namespaces: ["payments"] };
const rule = (fields: Record<string, unknown> = {}) => ({
  subjects: { groups: ["oncall"] },
  clusters: ["prod"],
  roles: ["edit", "view"],
  namespaces: ["payments"],
  approvers: { groups: ["sre"] },
  ...fields,
});

function allowed(decision: BreakGlassDecision): number {
  assert.ok(decision.allowed, decision.allowed ? "" : decision.reason);
  return decision.maxDurationSeconds;
}

function refusal(decision: BreakGlassDecision): string {
  assert.ok(!decision.allowed);
  return `${decision.kind}: ${decision.reason}`;
}

function problems(requests: unknown[]): string[] {
  return configProblems(() => configWith({ requests }));
}

describe("break-glass in a request rule's config", () => {
  it("reads true as the defaults (1h), false as off, and a maximum of its own", () => {
    const config = configWith({
      requests: [
        rule({ breakGlass: true }),
        rule({ breakGlass: false }),
        rule({ breakGlass: { maxDuration: "30m" } }),
      ],
    });
    assert.deepEqual(
      config.policies.requests.map((r) => r.breakGlass),
      [{ maxDuration: 3600 }, undefined, { maxDuration: 1800 }],
    );
    assert.equal(configWith({ requests: [rule()] }).policies.requests[0]?.breakGlass, undefined);
  });

  it("names the field path of a mistake", () => {
    assert.deepEqual(problems([rule({ breakGlass: { maxDuration: "8h" } })]), [
      "policies.requests.0.breakGlass.maxDuration: break-glass access is for emergencies: at most 4h; longer access goes through approvers",
    ]);
    assert.deepEqual(problems([rule({ breakGlass: { maxDuration: "10s" } })]), [
      "policies.requests.0.breakGlass.maxDuration: must be at least 1m",
    ]);
    assert.match(
      problems([rule({ breakGlass: { maxDuration: "soon" } })])[0]!,
      /^policies\.requests\.0\.breakGlass\.maxDuration: expected a duration/,
    );
    assert.match(
      problems([rule({ breakGlass: { approvers: 0 } })])[0]!,
      /^policies\.requests\.0\.breakGlass: .*approvers/,
    );
    assert.deepEqual(problems([rule({ breakGlass: "yes" })]), [
      "policies.requests.0.breakGlass: must be true, false or { maxDuration: 1h }",
    ]);
  });
});

describe("decideBreakGlass", () => {
  it("allows whom a break-glass rule covers, for its maximum capped by the rule's and the role's", () => {
    const config = configWith({
      requests: [rule({ breakGlass: { maxDuration: "90m" }, maxDuration: "4h" })],
    });
    assert.equal(allowed(decideBreakGlass(config, oncall, editInPayments)), 5400);
    // edit's maxTtl is 2h in the policy fixture; the rule's own maximum caps too.
    const capped = configWith({ requests: [rule({ breakGlass: { maxDuration: "4h" }, maxDuration: "3h" })] });
    assert.equal(allowed(decideBreakGlass(capped, oncall, editInPayments)), 7200);
    const short = configWith({ requests: [rule({ breakGlass: { maxDuration: "4h" }, maxDuration: "20m" })] });
    assert.equal(allowed(decideBreakGlass(short, oncall, editInPayments)), 1200);
  });

  it("takes the longest break-glass maximum of the rules that cover the ask, ignoring rules without it", () => {
    const config = configWith({
      requests: [
        rule({ breakGlass: { maxDuration: "15m" } }),
        rule({ maxDuration: "4h" }),
        rule({ breakGlass: { maxDuration: "45m" } }),
      ],
    });
    assert.equal(allowed(decideBreakGlass(config, oncall, editInPayments)), 2700);
  });

  it("refuses a rule without breakGlass, pointing to an ordinary request", () => {
    const config = configWith({ requests: [rule()] });
    assert.equal(
      refusal(decideBreakGlass(config, oncall, editInPayments)),
      'denied: no request policy allows break-glass for oncall@example.com to role "edit" in namespace "payments" of cluster "prod"; ask for it with approval instead (without --break-glass)',
    );
  });

  it("refuses someone the rule does not cover, and namespaces or clusters it does not list", () => {
    const config = configWith({ requests: [rule({ breakGlass: true })] });
    assert.equal(
      refusal(decideBreakGlass(config, dev, editInPayments)),
      'denied: no policy lets dev@example.com request role "edit" in namespace "payments" of cluster "prod"; break-glass is only for access a request rule covers',
    );
    assert.match(
      refusal(decideBreakGlass(config, oncall, { ...editInPayments, namespaces: ["kube-system"] })),
      /^denied: no policy lets oncall@example\.com request role "edit" in namespace "kube-system"/,
    );
    assert.match(
      refusal(decideBreakGlass(config, oncall, { ...editInPayments, cluster: "staging" })),
      /^denied: no policy lets oncall@example\.com request role "edit" in namespace "payments" of cluster "staging"/,
    );
  });

  it("answers an ask that makes no sense as invalid, before any rule", () => {
    const config = configWith({ requests: [rule({ breakGlass: true })] });
    assert.match(
      refusal(decideBreakGlass(config, oncall, { ...editInPayments, role: "god" })),
      /^invalid: role "god" does not exist/,
    );
  });
});
