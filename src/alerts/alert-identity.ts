import { createHash } from "node:crypto";

/**
 * An alert's id: the rule and the record that fired it (for a threshold, the record that
 * crossed it). A request's start and end records share their id, so a rule that matches
 * both fires once per request.
 */
export function alertId(rule: string, recordId: string): string {
  return digest(rule, recordId);
}

/**
 * A short digest of parts that come from records (user names, IPs): key names stay short and
 * can never hold a "{" or "}" that would move a key out of its hash tag.
 */
export function digest(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\0")).digest("base64url").slice(0, 22);
}
