import type { GrantView } from "../../grants/index.ts";
import type { Printable } from "./output-format.ts";
import { relativeTime, table } from "./table.ts";

/** A grant as the broker's API shows it (the server's own type: only the type is imported). */
export type { GrantView };

export function grantsTable(
  grants: GrantView[],
  now: number,
  options: { withUser: boolean; wide?: boolean },
): string {
  const wide = options.wide === true;
  const headers = [
    "id",
    ...(options.withUser ? ["user"] : []),
    "cluster",
    "role",
    "namespaces",
    "state",
    "ends",
    "origin",
    ...(wide ? ["created", "service account", "reason"] : []),
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
      ...(wide ? [relativeTime(g.createdAt, now), g.serviceAccount, g.reason] : []),
    ]),
  );
}

/** `grants`: the list, as a table or as -o asks. */
export function grantList(grants: GrantView[], now: number, options: { withUser: boolean }): Printable {
  return {
    value: { items: grants },
    names: grants.map(grantName),
    text: (wide) => grantsTable(grants, now, { ...options, wide }),
    empty: "No grants.",
  };
}

/** One grant a command changed (revoke): its ID is the text result, for `id=$(…)`. */
export function changedGrant(grant: GrantView): Printable {
  return { value: grant, names: [grantName(grant)], text: () => `${grant.id}\n` };
}

export function grantName(grant: Pick<GrantView, "id">): string {
  return `grant/${grant.id}`;
}
