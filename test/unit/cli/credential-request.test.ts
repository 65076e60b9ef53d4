import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { credentialRequest, namespaceKey } from "../../../src/cli/credential-request.ts";
import { fakeContext } from "../../support/fakes/fake-cli-context.ts";

describe("the exec plugin's credential request", () => {
  const args = ["--server", "https://kb.example", "--cluster", "prod", "--role", "view"];

  it("keys a token by its namespaces, sorted and once each, whatever their order", () => {
    const ctx = fakeContext().ctx;
    const several = credentialRequest(
      [...args, "-n", "team-b", "--namespace", "team-a", "-n", "team-b"],
      ctx,
    );
    assert.equal(several.key.namespace, "team-a,team-b");
    assert.equal(
      credentialRequest([...args, "-n", "team-a", "-n", "team-b"], ctx).key.namespace,
      "team-a,team-b",
    );
    assert.equal(
      credentialRequest(args, ctx).key.namespace,
      "",
      "none: every namespace standing policy allows",
    );
    assert.equal(namespaceKey([]), "");
  });
});
