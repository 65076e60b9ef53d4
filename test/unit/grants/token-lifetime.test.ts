import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  EXPIRY_MARGIN_MS,
  reportedExpiry,
  tokenExpirationSeconds,
} from "../../../src/grants/token-lifetime.ts";

const NOW = Date.parse("2026-06-01T12:00:00Z");
const inSeconds = (s: number) => NOW + s * 1000;

describe("token lifetime", () => {
  it("uses the configured TTL when the grant lasts longer", () => {
    assert.equal(tokenExpirationSeconds(900, inSeconds(8 * 3600), NOW), 900);
  });
  it("shrinks to the seconds left in the grant", () => {
    assert.equal(tokenExpirationSeconds(3600, inSeconds(1800), NOW), 1800);
  });
  it("never asks for less than TokenRequest's 600 s minimum", () => {
    assert.equal(tokenExpirationSeconds(900, inSeconds(30), NOW), 600);
    assert.equal(tokenExpirationSeconds(900, inSeconds(-5), NOW), 600);
  });
  it("never asks for 3607 s, which the API server extends to a year", () => {
    assert.equal(tokenExpirationSeconds(3607, inSeconds(86400), NOW), 3606);
    assert.equal(tokenExpirationSeconds(7200, inSeconds(3607.5), NOW), 3606);
    for (let left = 3500; left < 3700; left++) {
      assert.notEqual(tokenExpirationSeconds(7200, inSeconds(left), NOW), 3607);
    }
  });
  it("reports expiry a margin before the JWT's exp, and never after the grant's deadline", () => {
    assert.equal(reportedExpiry(inSeconds(900), inSeconds(3600)), inSeconds(900) - EXPIRY_MARGIN_MS);
    assert.equal(reportedExpiry(inSeconds(600), inSeconds(120)), inSeconds(120));
  });
});
