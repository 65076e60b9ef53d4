import { BlockList, isIPv6 } from "node:net";
import type { AuditRecord } from "../audit/index.ts";
import type { AlertMatch } from "../config/schema.ts";
import { globMatch } from "../policy/index.ts";
import { type MatchField, valuesOf } from "./record-values.ts";

/** A rule's match, prepared once: a record matches when every field named matches one of its values. */
export type RecordMatcher = (record: AuditRecord) => boolean;

/** Fields only request records carry: a rule naming one never matches a lifecycle event. */
const REQUEST_ONLY = ["verb", "apiGroup", "resource", "subresource", "name", "decision", "statusClass"];
const SOURCE_IP = "sourceIp";

/**
 * Builds the matcher. A field left out matches anything, a field the record leaves empty
 * matches no glob (not even "*": a cluster-wide request is in no namespace); a field given as an empty list
 * (a default rule whose config list is empty, such as sensitiveNamespaces) matches nothing.
 * Names, users and namespaces are globs (policy's globMatch: no regex is ever built from
 * config); enumerations were checked by the schema and compare exactly.
 */
export function compileMatch(match: AlertMatch): RecordMatcher {
  const type = match.type ?? impliedType(match);
  const tests: ((record: AuditRecord) => boolean)[] = [];
  for (const [field, patterns] of Object.entries(match)) {
    if (field === "type" || patterns === undefined) continue;
    if (field === SOURCE_IP) tests.push(ipTest(patterns as string[]));
    else if (field === "apiGroup") tests.push(exactTest(field, patterns as string[]));
    else tests.push(globTest(field as MatchField, patterns as string[]));
  }
  return (record) => (type === undefined || record.type === type) && tests.every((test) => test(record));
}

/** Whether the rule asks about the outcome, which a request's start record does not know yet. */
export function needsOutcome(match: AlertMatch): boolean {
  return match.decision !== undefined || match.statusClass !== undefined;
}

function impliedType(match: AlertMatch): "request" | "lifecycle" | undefined {
  if (match.event !== undefined || match.command !== undefined) return "lifecycle";
  if (REQUEST_ONLY.some((field) => field in match) || SOURCE_IP in match) return "request";
  return undefined;
}

function globTest(field: MatchField, patterns: readonly string[]): (record: AuditRecord) => boolean {
  return (record) => {
    const values = valuesOf(record, field);
    return values.some((value) => value !== "" && patterns.some((pattern) => globMatch(pattern, value)));
  };
}

/** For apiGroup, whose empty value is meaningful: the core group (Secrets, Namespaces). */
function exactTest(field: MatchField, values: readonly string[]): (record: AuditRecord) => boolean {
  return (record) => record.type === "request" && values.includes(valuesOf(record, field)[0]!);
}

function ipTest(cidrs: readonly string[]): (record: AuditRecord) => boolean {
  const blocks = new BlockList();
  for (const cidr of cidrs) {
    const [address, bits] = cidr.split("/") as [string, string | undefined];
    const family = isIPv6(address) ? "ipv6" : "ipv4";
    if (bits === undefined) blocks.addAddress(address, family);
    else blocks.addSubnet(address, Number(bits), family);
  }
  return (record) => {
    const ip = record.type === "request" ? unmapped(record.sourceIp) : "";
    return ip !== "" && blocks.check(ip, isIPv6(ip) ? "ipv6" : "ipv4");
  };
}

/** Node reports IPv4 clients of a dual-stack listener as ::ffff:a.b.c.d; rules name them as IPv4. */
function unmapped(ip: string): string {
  return ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice("::ffff:".length) : ip;
}
