import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { checkCrossSite, csrfTokenFor } from "../../../src/identity/console-csrf.ts";
import { BrokerError } from "../../../src/shared/errors.ts";

const secret = "kbs_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
const origin = "https://kb.example.com";

function refusal(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof BrokerError);
    assert.equal(err.code, 403);
    assert.equal(err.reason, "Forbidden");
    return err.message;
  }
  assert.fail("expected a 403");
}

describe("console CSRF", () => {
  it("derives the token as HMAC-SHA256(secret, 'kb-console-csrf') in base64url", () => {
    const expected = createHmac("sha256", secret).update("kb-console-csrf").digest("base64url");
    assert.equal(csrfTokenFor(secret), expected);
    assert.match(csrfTokenFor(secret), /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(csrfTokenFor(`${secret}x`), expected, "each session has its own");
  });

  it("lets safe methods through without a token", () => {
    for (const method of ["GET", "HEAD", "OPTIONS", "get"])
      checkCrossSite({ method, origin: "https://evil.example", csrfToken: undefined }, secret, origin);
  });

  it("lets a change through with the right token, from our origin or with no Origin at all", () => {
    const csrfToken = csrfTokenFor(secret);
    checkCrossSite({ method: "POST", origin, csrfToken }, secret, origin);
    checkCrossSite({ method: "DELETE", origin: undefined, csrfToken }, secret, origin);
  });

  it("refuses a change without the token, with a wrong one, or from another origin", () => {
    const right = csrfTokenFor(secret);
    assert.match(
      refusal(() => checkCrossSite({ method: "POST", origin, csrfToken: undefined }, secret, origin)),
      /^cross-site request refused: .*missing/,
    );
    assert.match(
      refusal(() =>
        checkCrossSite({ method: "POST", origin, csrfToken: csrfTokenFor("kbs_other") }, secret, origin),
      ),
      /^cross-site request refused: .*does not match/,
    );
    assert.match(
      refusal(() => checkCrossSite({ method: "POST", origin, csrfToken: right.slice(1) }, secret, origin)),
      /does not match/,
      "a shorter token is compared safely",
    );
    for (const foreign of [
      "https://evil.example",
      "null",
      "https://kb.example.com:8443",
      "http://kb.example.com",
    ]) {
      assert.match(
        refusal(() => checkCrossSite({ method: "PUT", origin: foreign, csrfToken: right }, secret, origin)),
        /^cross-site request refused: .*Origin/,
        foreign,
      );
    }
  });
});
