import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../../src/config/load.ts";
import { principalFromClaims } from "../../../src/identity/claims.ts";
import { Unauthorized } from "../../../src/shared/errors.ts";

const { oidc } = parseConfig({
  server: { publicUrl: "https://kb.example.com" },
  redis: { url: "redis://127.0.0.1:6379" },
  clusters: [{ name: "prod", auth: { kind: "in-cluster" } }],
  roles: [{ name: "view", clusterRole: "view" }],
  oidc: [
    { name: "employees", issuer: "https://login.example.com", clientId: "kb" },
    { name: "partners", issuer: "https://partners.example.net", clientId: "kb", groupsClaim: "roles" },
  ],
});
const [employees, partners] = oidc as [(typeof oidc)[0], (typeof oidc)[0]];
const alice = { sub: "alice", email: "alice@example.com", groups: ["admins"], roles: ["admins", "viewers"] };

describe("principalFromClaims with several providers", () => {
  it("the unprefixed provider's person is as before, and says where it came from", () => {
    assert.deepEqual(principalFromClaims(alice, employees, oidc), {
      kind: "user",
      subject: "alice",
      name: "alice@example.com",
      email: "alice@example.com",
      groups: ["admins"],
      idp: "employees",
    });
  });

  it("another provider's person carries its prefix on every name and group", () => {
    assert.deepEqual(principalFromClaims(alice, partners, oidc), {
      kind: "user",
      subject: "partners:alice",
      name: "partners:alice@example.com",
      email: "partners:alice@example.com",
      groups: ["partners:admins", "partners:viewers"],
      idp: "partners",
    });
  });

  it("the unprefixed provider cannot name someone into another provider's names", () => {
    for (const claims of [
      { ...alice, sub: "partners:alice" },
      { ...alice, email: "partners:alice@example.com" },
    ]) {
      assert.throws(
        () => principalFromClaims(claims, employees, oidc),
        (err: unknown) => {
          assert.ok(err instanceof Unauthorized);
          assert.match(err.message, /which is a name of provider "partners"/);
          return true;
        },
      );
    }
    const groups = principalFromClaims(
      { ...alice, groups: ["admins", "partners:admins"] },
      employees,
      oidc,
    ).groups;
    assert.deepEqual(groups, ["admins"], "a group in partners' names is dropped, not trusted");
  });
});
