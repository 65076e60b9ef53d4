import { table } from "../output/table.ts";

/** An audit record as the API returns it: all fields are strings (DESIGN.md "Audit record"). */
export type AuditEntry = Record<string, string | undefined> & { streamId?: string; type?: string };

/**
 * Forwarded requests are written twice (start, then the complete end entry). People read one
 * line per request, so start entries are left out unless asked for with --phase.
 */
export function shown(entry: AuditEntry, phase: string | undefined): boolean {
  return phase !== undefined || entry.type !== "request" || entry.phase !== "start";
}

/**
 * The columns people scan: who, which kubectl command, what it did to which object, and how it
 * ended. A lifecycle event fills the same columns: the event as the verb, cluster/role as the
 * resource, its grant (or request) as the name, its detail (a reason, who ended it) as the
 * result. Wide adds where the access came from (grant kind: standing, requested, ci, break-glass).
 */
const HEADERS = ["time", "user", "command", "verb", "resource", "name", "namespace", "status", "result"];
const WIDE_HEADERS = ["cluster", "role", "grant", "grant kind", "duration", "source ip"];

export function auditHeaders(wide: boolean): string[] {
  return wide ? [...HEADERS, ...WIDE_HEADERS] : HEADERS;
}

/** One record's cells, "-" where a field is blank. */
export function auditCells(entry: AuditEntry, wide = false): string[] {
  const v = (name: string) => entry[name] || "-";
  const more = (duration: string) =>
    wide ? [v("cluster"), v("role"), v("grant"), v("grantKind"), duration, v("sourceIp")] : [];
  if (entry.type === "lifecycle") {
    const what = [entry.cluster, entry.role].filter(Boolean).join("/") || "-";
    const name = entry.grant || entry.request || "-";
    return [
      v("ts"),
      v("user"),
      "-",
      v("event"),
      what,
      name,
      v("namespace"),
      "-",
      lifecycleResult(entry),
      ...more("-"),
    ];
  }
  const resource = entry.resource ? [entry.resource, entry.subresource].filter(Boolean).join("/") : v("path");
  return [
    v("ts"),
    v("user"),
    v("kubectlCommand"),
    v("verb"),
    resource,
    v("name"),
    v("namespace"),
    v("status"),
    v("decision"),
    ...more(entry.durationMs ? `${entry.durationMs}ms` : "-"),
  ];
}

/** One line per record as it comes (audit tail): the table's cells, two spaces apart. */
export function auditLine(entry: AuditEntry, wide = false): string {
  return auditCells(entry, wide).join("  ");
}

/** Records known in advance (audit query), lined up under headers like kubectl's tables. */
export function auditTable(entries: AuditEntry[], wide: boolean): string {
  return table(
    auditHeaders(wide),
    entries.map((entry) => auditCells(entry, wide)),
  );
}

/** -o name: records share their id between a request's start and end entries. */
export function auditName(entry: AuditEntry): string {
  return `record/${entry.id ?? entry.streamId ?? ""}`;
}

/**
 * A lifecycle event's detail, as a line: a delivered report carries the whole report as JSON
 * there (for the export sinks), of which a table shows the one-line summary it includes.
 */
function lifecycleResult(entry: AuditEntry): string {
  const detail = entry.detail || "-";
  if (entry.event !== "report.delivered") return detail;
  try {
    return String((JSON.parse(detail) as { text?: unknown }).text ?? detail);
  } catch {
    return detail;
  }
}
