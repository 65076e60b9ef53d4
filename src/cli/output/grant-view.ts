import { relativeTime, table } from "./table.ts";

/** A grant as the broker's API shows it (src/grants/grant-view.ts). */
export interface GrantView {
  id: string;
  user: string;
  cluster: string;
  role: string;
  namespaces: string[];
  clusterWide: boolean;
  origin: string;
  state: string;
  expiresAt: string;
  endedAt?: string;
  endReason?: string;
}

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
