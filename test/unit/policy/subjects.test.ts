import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isAdmin } from "../../../src/policy/admins.ts";
import { matchesSubjects } from "../../../src/policy/subjects.ts";
import type { Principal } from "../../../src/shared/principal.ts";
import { configWith, person } from "../../support/fakes/policy-config.ts";

const dev = person("dev@example.com", ["devs", "team-a"], "0f1e2d");

describe("matchesSubjects", () => {
  it("matches a user by email, by subject and by display name", () => {
    assert.ok(matchesSubjects({ users: ["dev@example.com"], groups: [] }, dev));
    assert.ok(matchesSubjects({ users: ["0f1e2d"], groups: [] }, dev));
    const ci: Principal = { kind: "ci", subject: "https://ci#repo:org/app", name: "ci:org/app", groups: [] };
    assert.ok(matchesSubjects({ users: ["ci:org/app"], groups: [] }, ci));
    assert.ok(matchesSubjects({ users: ["https://ci#repo:org/*"], groups: [] }, ci));
  });

  it("matches users by glob", () => {
    assert.ok(matchesSubjects({ users: ["*@example.com"], groups: [] }, dev));
    assert.equal(matchesSubjects({ users: ["*@example.org"], groups: [] }, dev), false);
    assert.equal(
      matchesSubjects({ users: ["*@example.com"], groups: [] }, person("x@example.com.evil.io")),
      false,
    );
  });

  it("matches any of the principal's groups, exactly or by glob", () => {
    assert.ok(matchesSubjects({ users: [], groups: ["team-a"] }, dev));
    assert.ok(matchesSubjects({ users: [], groups: ["team-*"] }, dev));
    assert.equal(matchesSubjects({ users: [], groups: ["team-b"] }, dev), false);
    assert.equal(matchesSubjects({ users: [], groups: ["team"] }, dev), false);
  });

  it("does not confuse users with groups", () => {
    assert.equal(matchesSubjects({ users: ["devs"], groups: [] }, dev), false);
    assert.equal(matchesSubjects({ users: [], groups: ["dev@example.com"] }, dev), false);
  });

  it("matches nobody with an empty subject list", () => {
    assert.equal(matchesSubjects({ users: [], groups: [] }, dev), false);
  });

  it("ignores a missing email rather than matching it against an empty pattern", () => {
    const noEmail: Principal = { kind: "user", subject: "s1", name: "Someone", groups: [] };
    assert.equal(matchesSubjects({ users: [""], groups: [] }, noEmail), false);
  });
});

describe("isAdmin", () => {
  it("is false when no admins are configured", () => {
    assert.equal(isAdmin(configWith({}), dev), false);
  });

  it("recognizes admins by user and by group", () => {
    const config = configWith({}, { admins: { users: ["boss@example.com"], groups: ["platform-*"] } });
    assert.ok(isAdmin(config, person("boss@example.com")));
    assert.ok(isAdmin(config, person("ops@example.com", ["platform-oncall"])));
    assert.equal(isAdmin(config, dev), false);
  });
});
