import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { matchesSubjects } from "../../../src/policy/subjects.ts";
import type { Principal } from "../../../src/shared/principal.ts";

const employee: Principal = {
  kind: "user",
  subject: "alice",
  name: "alice@example.com",
  email: "alice@example.com",
  groups: ["admins"],
  idp: "employees",
};
const partner: Principal = {
  kind: "user",
  subject: "partners:alice",
  name: "partners:alice@example.com",
  email: "partners:alice@example.com",
  groups: ["partners:admins"],
  idp: "partners",
};
const ci: Principal = {
  kind: "ci",
  subject: "https://ci#repo:org/app",
  name: "ci:org/app",
  groups: ["admins"],
};

describe("matchesSubjects across identity providers", () => {
  it("names and groups are compared with their prefixes: one provider's do not match another's", () => {
    const byName = { users: ["alice@example.com"], groups: [] };
    assert.ok(matchesSubjects(byName, employee));
    assert.equal(matchesSubjects(byName, partner), false);
    const byGroup = { users: [], groups: ["admins"] };
    assert.ok(matchesSubjects(byGroup, employee));
    assert.equal(matchesSubjects(byGroup, partner), false);
    assert.ok(matchesSubjects({ users: [], groups: ["partners:admins"] }, partner));
    assert.ok(matchesSubjects({ users: ["partners:*"], groups: [] }, partner));
  });

  it("idps narrows users and groups to people from those providers", () => {
    const wild = { users: ["*alice@example.com"], groups: [] };
    assert.ok(matchesSubjects(wild, partner), "a glob can span providers");
    assert.equal(matchesSubjects({ ...wild, idps: ["employees"] }, partner), false);
    assert.ok(matchesSubjects({ ...wild, idps: ["employees"] }, employee));
    assert.equal(matchesSubjects({ users: [], groups: ["admins"], idps: ["employees"] }, ci), false);
  });

  it("idps alone means everyone from those providers, and never a CI job", () => {
    const everyPartner = { users: [], groups: [], idps: ["partners"] };
    assert.ok(matchesSubjects(everyPartner, partner));
    assert.equal(matchesSubjects(everyPartner, employee), false);
    assert.equal(matchesSubjects(everyPartner, ci), false);
  });
});
