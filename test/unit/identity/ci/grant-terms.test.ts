import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CiRule } from "../../../../src/config/schema.ts";
import type { VerifiedCiToken } from "../../../../src/identity/ci/ci-token-verifier.ts";
import { ciGrantTtl, ciPrincipal, ciReason } from "../../../../src/identity/ci/grant-terms.ts";

const NOW = Date.parse("2026-01-01T00:00:00Z");
const rule = { name: "web-main", maxTtl: 1800 } as CiRule;
const token = (claims: Record<string, unknown> = {}, expiresIn = 3600): VerifiedCiToken => ({
  issuer: "https://token.actions.githubusercontent.com",
  subject: "repo:acme/web:ref:refs/heads/main",
  claims,
  expiresAt: NOW + expiresIn * 1000,
});

describe("ciGrantTtl", () => {
  const ttl = (roleMaxTtl: number | undefined, requested: number | undefined, expiresIn = 3600) =>
    ciGrantTtl({ rule, roleMaxTtl, token: token({}, expiresIn), requested, now: NOW });

  it("takes the least of rule, role, request and the token's own life", () => {
    assert.equal(ttl(7200, undefined), 1800, "the rule");
    assert.equal(ttl(900, undefined), 900, "the role");
    assert.equal(ttl(7200, 600), 600, "the request");
    assert.equal(ttl(7200, undefined, 300), 300, "the token");
    assert.equal(ttl(undefined, undefined, 7200), 1800, "an unknown role does not lift the cap");
  });

  it("counts the token's life in whole seconds, and never less than a minute", () => {
    assert.equal(
      ciGrantTtl({ rule, roleMaxTtl: 7200, token: token({}, 299.9), requested: undefined, now: NOW }),
      299,
    );
    assert.equal(ttl(7200, undefined, 59), 60);
    assert.equal(ttl(7200, undefined, -10), 60, "a token within the clock skew of its exp");
  });
});

describe("ciPrincipal and ciReason", () => {
  it("names the job by issuer and sub", () => {
    assert.deepEqual(ciPrincipal(token()), {
      kind: "ci",
      subject: "https://token.actions.githubusercontent.com#repo:acme/web:ref:refs/heads/main",
      name: "ci:repo:acme/web:ref:refs/heads/main",
      groups: [],
    });
  });

  it("tells which job and run a grant was for, from string claims only", () => {
    const claims = {
      repository: "acme/web",
      ref: "refs/heads/main",
      run_id: "42",
      run_attempt: 1,
      actor: "x",
    };
    assert.equal(
      ciReason(rule, token(claims)),
      "CI rule web-main: repository=acme/web ref=refs/heads/main run_id=42",
    );
  });

  it("falls back to the sub, and keeps long values short", () => {
    assert.equal(ciReason(rule, token()), "CI rule web-main: sub=repo:acme/web:ref:refs/heads/main");
    assert.ok(ciReason(rule, token({ ref: "r".repeat(5000) })).length < 200);
  });
});
