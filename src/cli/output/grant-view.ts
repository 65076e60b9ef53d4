import type { CreatedObject } from "../../audit/index.ts";
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

/** `grants show ID`: the grant, and what was created through it (from its audit records). */
export function grantDetail(grant: GrantView, created: CreatedObject[], now: number): Printable {
  const field = (name: string, value: string) => `${`${name}:`.padEnd(16)}${value}\n`;
  return {
    value: { ...grant, created },
    names: [grantName(grant)],
    text: () =>
      [
        field("Grant", grant.id),
        field("User", grant.user),
        field("Cluster", grant.cluster),
        field("Role", grant.role),
        field("Namespaces", grant.clusterWide ? "* (cluster-wide)" : grant.namespaces.join(", ")),
        field(
          "State",
          grant.state === "ended" ? `ended (${grant.endReason}): ${grant.endDetail ?? ""}` : grant.state,
        ),
        field(
          grant.state === "ended" ? "Ended" : "Ends",
          relativeTime(grant.endedAt ?? grant.expiresAt, now),
        ),
        field("Origin", grant.origin + (grant.reason ? `: ${grant.reason}` : "")),
        field("ServiceAccount", grant.serviceAccount),
        created.length === 0
          ? "\nNothing was created through this grant.\n"
          : `\nCreated through this grant:\n${table(
              ["created", "resource", "namespace", "name", "command"],
              created.map((o) => [
                relativeTime(o.ts, now),
                o.apiGroup ? `${o.resource}.${o.apiGroup}` : o.resource,
                o.namespace,
                o.name,
                o.kubectlCommand,
              ]),
            )}`,
      ].join(""),
  };
}
