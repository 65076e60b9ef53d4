import { DNS1123_LABEL } from "../config/fields.ts";
import type { ClusterConfig, Config, RoleConfig } from "../config/schema.ts";
import type { Refusal } from "./decision.ts";

/** What someone asks to hold: a role in a cluster, in some namespaces (none for cluster-wide roles). */
export interface AccessAsk {
  cluster: string;
  role: string;
  namespaces: string[];
}

/** The configured cluster and role an ask names, once the ask itself makes sense. */
export interface ResolvedAsk {
  kind: "resolved";
  cluster: ClusterConfig;
  role: RoleConfig;
}

/**
 * Checks the ask on its own terms, before any policy is looked at: the cluster and role exist,
 * and the namespaces fit the role's scope. A refusal here is bad input, not a lack of rights.
 */
export function resolveAsk(config: Config, ask: AccessAsk): ResolvedAsk | Refusal {
  const cluster = config.clusters.find((c) => c.name === ask.cluster);
  if (!cluster) return invalid(`cluster ${quote(ask.cluster)} is not served by this broker`);
  const role = config.roles.find((r) => r.name === ask.role);
  if (!role) return invalid(`role ${quote(ask.role)} does not exist on this broker`);

  if (role.scope === "cluster") {
    if (ask.namespaces.length > 0) {
      return invalid(`role ${quote(role.name)} applies to the whole cluster and takes no namespace; drop -n`);
    }
    return { kind: "resolved", cluster, role };
  }
  if (ask.namespaces.length === 0) {
    return invalid(`role ${quote(role.name)} is held in namespaces: name at least one with -n`);
  }
  const seen = new Set<string>();
  for (const namespace of ask.namespaces) {
    if (!DNS1123_LABEL.test(namespace)) {
      return invalid(
        `${quote(namespace)} is not a valid namespace name (lowercase letters, digits and '-', at most 63 characters)`,
      );
    }
    if (seen.has(namespace)) return invalid(`namespace ${quote(namespace)} is listed twice`);
    seen.add(namespace);
  }
  return { kind: "resolved", cluster, role };
}

/** `in namespace "a" of cluster "prod"`, `in namespaces "a", "b" of cluster "prod"`, or `in cluster "prod"`. */
export function describeWhere(cluster: string, namespaces: readonly string[]): string {
  if (namespaces.length === 0) return `in cluster ${quote(cluster)}`;
  const noun = namespaces.length === 1 ? "namespace" : "namespaces";
  return `in ${noun} ${namespaces.map(quote).join(", ")} of cluster ${quote(cluster)}`;
}

/** Quotes a name for a message; JSON escaping keeps odd input from garbling the sentence. */
export function quote(name: string): string {
  return JSON.stringify(name);
}

function invalid(reason: string): Refusal {
  return { allowed: false, kind: "invalid", reason };
}
