import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CiRule } from "../../../../src/config/schema.ts";
import { type CiClaims, type ClaimMatcher, claimMatches } from "../../../../src/identity/ci/claim-match.ts";
import { audiences, matchCiRule } from "../../../../src/identity/ci/rules.ts";
import { testConfig } from "../../../support/fakes/test-config.ts";

const GITHUB = "https://token.actions.githubusercontent.com";
const GITLAB = "https://gitlab.example.com";

describe("claimMatches", () => {
  const cases: [string, unknown, ClaimMatcher, boolean][] = [
    ["an exact string", "acme/web", "acme/web", true],
    ["another string", "acme/api", "acme/web", false],
    ["case differences", "Acme/Web", "acme/web", false],
    ["a prefix only", "acme/web-old", "acme/web", false],
    ["a glob with *", "refs/heads/release-1.2", "refs/heads/release-*", true],
    ["a glob spanning slashes", "acme/infra/deploy/x", "acme/infra/*", true],
    ["a glob needing its literal part", "acme/infra", "acme/infra/*", false],
    ["a glob over the whole value", "xacme/web", "acme/*", false],
    ["a ? for one character", "v1", "v?", true],
    ["a ? for two characters", "v10", "v?", false],
    ["regex syntax kept literal", "acmeXweb", "acme.web", false],
    ["any of a list", "workflow_dispatch", ["push", "workflow_dispatch"], true],
    ["none of a list", "pull_request", ["push", "workflow_dispatch"], false],
    ["globs in a list", "refs/tags/v2", ["refs/heads/main", "refs/tags/v*"], true],
    ["a boolean claim against true", true, true, true],
    ["a boolean claim against false", false, true, false],
    ['GitLab\'s "true" against true', "true", true, true],
    ['GitLab\'s "false" against true', "false", true, false],
    ['"false" against false', "false", false, true],
    ['"True" is not true', "True", true, false],
    ['"1" is not true', "1", true, false],
    ["a boolean claim against a string", true, "true", true],
    ["a number claim by its string form", 42, "42", true],
    ["a number claim against a glob", 4711, "47*", true],
    ["an object claim", { a: 1 }, "*", false],
    ["an array claim", ["acme/web"], "acme/web", false],
    ["a null claim", null, "*", false],
    ["an empty claim against *", "", "*", true],
    ["an empty claim against a word", "", "main", false],
  ];
  for (const [what, value, matcher, expected] of cases) {
    it(`${expected ? "matches" : "does not match"} ${what}`, () => {
      assert.equal(claimMatches({ claim: value }, "claim", matcher), expected);
    });
  }

  it("never matches a missing claim, even with * or a boolean", () => {
    for (const matcher of ["*", true, false, ["*"]] as ClaimMatcher[]) {
      assert.equal(claimMatches({}, "environment", matcher), false);
    }
  });

  it("sees only the token's own claims, not Object.prototype's", () => {
    assert.equal(claimMatches({}, "constructor", "*"), false);
    assert.equal(claimMatches({}, "__proto__", "*"), false);
    assert.equal(claimMatches(JSON.parse('{"__proto__": "x"}') as CiClaims, "__proto__", "x"), true);
  });
});

const rule = (name: string, overrides: Partial<CiRule>) => ({
  name,
  issuer: GITHUB,
  audience: "kube-broker",
  claims: { repository: "acme/web" },
  cluster: "test",
  role: "view",
  namespaces: ["web"],
  maxTtl: "30m",
  ...overrides,
});

const config = testConfig({
  clusters: [
    { name: "test", auth: { kind: "in-cluster" } },
    { name: "prod", auth: { kind: "in-cluster" } },
  ],
  ci: {
    rules: [
      rule("web-main", { claims: { repository: "acme/web", ref: "refs/heads/main" } }),
      rule("web-prod", {
        claims: { repository: "acme/web", environment: "production" },
        cluster: "prod",
      }),
      rule("web-any", { claims: { repository: "acme/web" } }),
      rule("infra", {
        issuer: GITLAB,
        audience: "https://broker.example",
        claims: { project_path: "acme/infra/*", ref_protected: true, ref: ["main", "release-*"] },
        cluster: "prod",
      }),
    ],
  },
});

const github = (claims: CiClaims): CiClaims => ({
  iss: GITHUB,
  aud: "kube-broker",
  sub: "repo:acme/web:ref:refs/heads/main",
  repository: "acme/web",
  ref: "refs/heads/main",
  ...claims,
});
const gitlab = (claims: CiClaims): CiClaims => ({
  iss: GITLAB,
  aud: "https://broker.example",
  project_path: "acme/infra/deploy",
  ref: "main",
  ref_protected: "true",
  ...claims,
});
const matched = (claims: CiClaims, cluster?: string) => matchCiRule(config, claims, { cluster })?.name;

describe("matchCiRule", () => {
  it("returns the first matching rule in config order", () => {
    assert.equal(matched(github({})), "web-main");
    assert.equal(matched(github({ ref: "refs/heads/dev" })), "web-any");
    assert.equal(matched(github({ ref: "refs/heads/dev", environment: "production" })), "web-prod");
  });

  it("narrows to the cluster the caller names", () => {
    assert.equal(matched(github({}), "prod"), undefined);
    assert.equal(matched(github({ environment: "production" }), "prod"), "web-prod");
    assert.equal(matched(github({ environment: "production" }), "test"), "web-main");
    assert.equal(matched(github({}), "elsewhere"), undefined);
  });

  it("needs every claim matcher of a rule", () => {
    assert.equal(matched(github({ repository: "acme/api" })), undefined);
    assert.equal(matched(gitlab({ ref_protected: "false" })), undefined);
    assert.equal(matched(gitlab({ ref: "feature-x" })), undefined);
    assert.equal(matched(gitlab({ ref: "release-2.0", ref_protected: true })), "infra");
    assert.equal(matched(gitlab({ project_path: "acme/infra" })), undefined);
  });

  it("needs the rule's issuer, exactly", () => {
    assert.equal(matched(github({ iss: GITLAB })), undefined);
    assert.equal(matched(github({ iss: `${GITHUB}/` })), undefined);
    assert.equal(matched(github({ iss: undefined })), undefined);
    assert.equal(matched(gitlab({ iss: GITHUB })), undefined);
  });

  it("needs the rule's audience among the token's", () => {
    assert.equal(matched(github({ aud: "other" })), undefined);
    assert.equal(matched(github({ aud: ["other", "kube-broker"] })), "web-main");
    assert.equal(matched(github({ aud: [] })), undefined);
    assert.equal(matched(github({ aud: undefined })), undefined);
    assert.equal(matched(github({ aud: "https://broker.example" })), undefined);
  });

  it("denies when there are no rules", () => {
    assert.equal(matchCiRule(testConfig(), github({})), undefined);
  });
});

describe("audiences", () => {
  it("reads a string or a list, keeping only strings", () => {
    assert.deepEqual(audiences({ aud: "a" }), ["a"]);
    assert.deepEqual(audiences({ aud: ["a", 1, "b"] }), ["a", "b"]);
    assert.deepEqual(audiences({ aud: 5 }), []);
    assert.deepEqual(audiences({}), []);
  });
});
