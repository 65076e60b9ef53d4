import { type AuditPage, type AuditRecord, FILTER_FIELDS } from "./audit-types.ts";

/**
 * What the audit pages ask the API, as the page URL carries it (/ui/audit?user=…&since=1h), so
 * a search can be linked and survives a reload. Pure functions, unit-tested under Node.
 */

/** The names a console URL may carry: the API's filters, the time range and paging. */
export const SEARCH_FIELDS = [...FILTER_FIELDS, "since", "until", "limit", "after"] as const;
export type SearchField = (typeof SEARCH_FIELDS)[number];
export type AuditSearch = Partial<Record<SearchField, string>>;

/** The known names of a query string (`location.search`), trimmed, empty ones left out. */
export function readSearch(search: string): AuditSearch {
  const params = new URLSearchParams(search);
  const out: AuditSearch = {};
  for (const name of SEARCH_FIELDS) {
    const value = params.get(name)?.trim();
    if (value) out[name] = value;
  }
  return out;
}

/**
 * The query string of `search` (and `extra`, which wins), in one fixed order so the same
 * search always has the same URL; empty values are left out, as the API refuses them.
 */
export function queryString(search: AuditSearch, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const name of SEARCH_FIELDS) {
    const value = (extra[name] ?? search[name])?.trim();
    if (value) params.set(name, value);
  }
  for (const [name, value] of Object.entries(extra)) {
    if (!params.has(name) && value) params.set(name, value);
  }
  return params.toString();
}

/** `search` without the given names (a new search starts at the first page). */
export function without(search: AuditSearch, ...names: SearchField[]): AuditSearch {
  const out = { ...search };
  for (const name of names) delete out[name];
  return out;
}

/**
 * A forwarded request is written twice (start, then the complete end). People read one line
 * per request, so the result lists leave start entries out unless a phase is asked for, as
 * `kubectl broker audit query` does; the download keeps them (it is the log itself).
 */
export function shownInList(record: AuditRecord, phase: string | undefined): boolean {
  return phase !== undefined || record.type !== "request" || record.phase !== "start";
}

/** The records as JSON lines: one record per line, as `kubectl broker audit export` writes them. */
export function jsonLines(records: readonly AuditRecord[]): string {
  return records.map((record) => `${JSON.stringify(record)}\n`).join("");
}

/** The largest page the API gives (src/audit/read/query-params.ts MAX_LIMIT). */
export const MAX_PAGE = 1000;

/**
 * Every record of a range, page by page (each page `MAX_PAGE` at most), until the range ends
 * or `cap` records are in; `capped` says the range may hold more than was collected.
 */
export async function collectAll(
  fetchPage: (after: string | undefined, limit: number) => Promise<AuditPage>,
  cap: number,
  onProgress: (count: number) => void = () => {},
): Promise<{ records: AuditRecord[]; capped: boolean }> {
  const records: AuditRecord[] = [];
  let after: string | undefined;
  do {
    const page = await fetchPage(after, Math.min(MAX_PAGE, cap - records.length));
    records.push(...page.items.slice(0, cap - records.length));
    after = page.nextCursor ?? undefined;
    onProgress(records.length);
  } while (after !== undefined && records.length < cap);
  return { records, capped: after !== undefined };
}
