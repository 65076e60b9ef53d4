/** An audit record as the API returns it: all fields are strings (DESIGN.md "Audit record"). */
export type AuditEntry = Record<string, string | undefined> & { streamId?: string; type?: string };

/**
 * Forwarded requests are written twice (start, then the complete end entry). People read one
 * line per request, so start entries are left out unless asked for with --phase.
 */
export function shown(entry: AuditEntry, phase: string | undefined): boolean {
  return phase !== undefined || entry.type !== "request" || entry.phase !== "start";
}

/** One line: time, user, verb, resource/name, namespace, status, decision (or a lifecycle event). */
export function auditLine(entry: AuditEntry): string {
  const v = (name: string) => entry[name] || "-";
  if (entry.type === "lifecycle") {
    const what = [entry.cluster, entry.role].filter(Boolean).join("/") || "-";
    return [v("ts"), v("user"), v("event"), what, v("namespace"), entry.detail ?? ""].join("  ").trimEnd();
  }
  const target = entry.resource
    ? [entry.resource, entry.name, entry.subresource].filter(Boolean).join("/")
    : v("path");
  return [v("ts"), v("user"), v("verb"), target, v("namespace"), v("status"), v("decision")].join("  ");
}

export function formatEntry(entry: AuditEntry, format: "table" | "json"): string {
  return `${format === "json" ? JSON.stringify(entry) : auditLine(entry)}\n`;
}
