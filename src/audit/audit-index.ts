import type { AuditFilter } from "./read/audit-query-store.ts";
import type { AuditRecord } from "./record.ts";

/**
 * Secondary indexes of the audit stream, so that the common questions (one person's, one
 * grant's, one namespace's records; the refused ones; one resource's) cost what they return,
 * not the whole stream. Each shard keeps, in its own hash tag, one sorted set per indexed
 * value, every member scoring 0 and named by the record's stream ID in a form that sorts as
 * the IDs do (lexicographic ranges, ZRANGE BYLEX): a page is a range read of the set, then the
 * records themselves by ID. The append script adds a record's members in the same atomic step
 * as the record, and trims each set it touches to the stream's oldest entry.
 */
export type IndexField = "grant" | "user" | "ns" | "decision" | "resource";

/** The indexed values of a record: [field, value] pairs. */
export function indexTermsOf(record: AuditRecord): [IndexField, string][] {
  const terms: [IndexField, string][] = [];
  if (record.user) terms.push(["user", record.user]);
  if (record.grant) terms.push(["grant", record.grant]);
  if (record.namespace) terms.push(["ns", `${record.cluster}/${record.namespace}`]);
  if (record.type === "request") {
    // "allowed" is nearly every record: an index of it would be the stream again.
    if (record.decision && record.decision !== "allowed") terms.push(["decision", record.decision]);
    if (record.resource) terms.push(["resource", record.resource]);
  }
  return terms;
}

/**
 * The index that answers `filter` with the fewest candidates, or undefined when none applies
 * (the query then scans). The other filters are applied to what the index yields.
 */
export function indexFor(filter: AuditFilter): [IndexField, string] | undefined {
  if (filter.grant) return ["grant", filter.grant];
  if (filter.user) return ["user", filter.user];
  if (filter.cluster && filter.namespace) return ["ns", `${filter.cluster}/${filter.namespace}`];
  if (filter.decision && filter.decision !== "allowed") return ["decision", filter.decision];
  if (filter.resource) return ["resource", filter.resource];
  return undefined;
}

/** Digits of a stream ID's milliseconds (until the year 2286). */
const MS_DIGITS = 13;

/**
 * A stream ID as an index member that sorts as the IDs do: the milliseconds zero-padded, then
 * the sequence's digit count and the sequence ("1732900000000-12" → "1732900000000212"). The
 * append script builds the same form in Lua. Undefined past the year 2286 or for a sequence
 * of ten digits or more (a billion records in one millisecond): no such ID is indexed.
 */
export function indexMember(streamId: string): string | undefined {
  const dash = streamId.indexOf("-");
  const ms = dash < 0 ? streamId : streamId.slice(0, dash);
  const seq = dash < 0 ? "0" : streamId.slice(dash + 1);
  if (ms.length > MS_DIGITS || seq.length > 9) return undefined;
  return `${ms.padStart(MS_DIGITS, "0")}${seq.length}${seq}`;
}

/** The stream ID an index member names. */
export function streamIdOf(member: string): string {
  const ms = member.slice(0, MS_DIGITS).replace(/^0+(?=\d)/, "");
  return `${ms}-${member.slice(MS_DIGITS + 1)}`;
}

/** The Lua that turns an XADD reply into its member (indexMember's twin). */
export const LUA_INDEX_MEMBER = `
local function indexMember(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return string.rep('0', ${MS_DIGITS} - #ms) .. ms .. #seq .. seq
end
`;
