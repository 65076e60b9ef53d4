import type { GrantView } from "../../grants/index.ts";
import { relativeTime, table } from "./table.ts";

/** A grant as the broker's API shows it (the server's own type: only the type is imported). */
export type { GrantView };

export function grantsTable(grants: GrantView[], now: number, options: { withUser: boolean }): string {
  const headers = [
    "id",
    ...(options.withUser ? ["user"] : []),
    "cluster",
    "role",
    "namespaces",
    "state",
    "ends",
    "origin",
  ];
  return table(
    headers,
    grants.map((g) => [
      g.id,
      ...(options.withUser ? [g.user] : []),
      g.cluster,
      g.role,
      g.clusterWide ? "*" : g.namespaces.join(","),
      g.state === "ended" && g.endReason ? `ended (${g.endReason})` : g.state,
      relativeTime(g.endedAt ?? g.expiresAt, now),
      g.origin,
    ]),
  );
}
