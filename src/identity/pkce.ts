import { createHash } from "node:crypto";
import { constantTimeEqual } from "../shared/ids.ts";

/** RFC 7636: a verifier is 43–128 characters of [A-Za-z0-9-._~]. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export function isValidChallenge(challenge: unknown): challenge is string {
  return typeof challenge === "string" && CHALLENGE.test(challenge);
}

/** Whether `verifier` is the S256 pre-image of `challenge`, compared in constant time. */
export function verifierMatches(verifier: unknown, challenge: string): boolean {
  if (typeof verifier !== "string" || !VERIFIER.test(verifier)) return false;
  return constantTimeEqual(createHash("sha256").update(verifier).digest("base64url"), challenge);
}
