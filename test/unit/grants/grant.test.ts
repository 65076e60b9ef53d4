import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { DNS1123_LABEL } from "../../../src/config/fields.ts";
import { serviceAccountName } from "../../../src/grants/grant.ts";
import type { Principal } from "../../../src/shared/principal.ts";

const person = (name: string, email?: string): Principal => ({
  kind: "user",
  subject: "s",
  name,
  ...(email === undefined ? {} : { email }),
  groups: [],
});

describe("ServiceAccount names", () => {
  it("read kb-<user>-<grant id>", () => {
    assert.equal(serviceAccountName(person("dev@example.com", "dev@example.com"), "abc123"), "kb-dev-abc123");
    assert.equal(
      serviceAccountName(person("Dana.O'Neil@Example.com", "Dana.O'Neil@Example.com"), "g1"),
      "kb-dana-o-neil-g1",
    );
  });

  it("fit 63 characters however long the user name", () => {
    const name = serviceAccountName(person("x".repeat(300)), "abcdefghijklm");
    assert.ok(name.length <= 63, name);
    assert.match(name, /-abcdefghijklm$/);
  });

  it("are always DNS-1123 labels", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.option(fc.emailAddress()), (name, email) => {
        const sa = serviceAccountName(person(name || "n", email ?? undefined), "a1b2c3d4e5f6g");
        return sa.length <= 63 && DNS1123_LABEL.test(sa);
      }),
    );
  });
});
