import type { Config } from "../../config/schema.ts";
import {
  clusterRoleRules,
  type PolicyRule,
  type RbacReader,
  type RbacSnapshot,
  ruleAllows,
} from "../rbac/index.ts";
import type { UsageRow } from "./usage-store.ts";

/** One verb on one resource that a role grants, and how often it was used in the window. */
export interface GrantedPermission {
  cluster: string;
  role: string;
  verb: string;
  apiGroup: string;
  /** As the rule names it: "pods", "pods/exec", "*". */
  resource: string;
  /** The object names the rule limits it to, if any. */
  resourceNames?: string[];
  used: number;
}

/** The clusters whose RBAC the usage reports may read (the RBAC report's readers). */
export type RbacReaders = ReadonlyMap<string, { rbac: RbacReader }>;

/**
 * What a role grants in a cluster — its ClusterRole's rules with aggregation resolved (or its
 * namespaced Role's, in every namespace that has one) — one verb × API group × resource at a
 * time, against the rows used under that role there. A wildcard stays a wildcard: the
 * cluster's discovery would be needed to spell it out, and "verb * on *" is the finding.
 */
export async function grantedPermissions(
  config: Config,
  readers: RbacReaders,
  asked: { roles: string[]; clusters: string[] },
  rows: readonly UsageRow[],
): Promise<Granted> {
  const granted: Granted = { permissions: [], skipped: [] };
  const roles = config.roles.filter((r) => asked.roles.includes(r.name));
  for (const cluster of asked.clusters) {
    const reader = readers.get(cluster);
    if (!reader || roles.length === 0) continue;
    let snapshot: RbacSnapshot;
    try {
      snapshot = await reader.rbac.readRbac();
    } catch (err) {
      // The rest of the report stands without it; say why this part is missing.
      granted.skipped.push({ cluster, reason: `its roles could not be read: ${(err as Error).message}` });
      continue;
    }
    for (const role of roles) {
      const rules = role.clusterRole
        ? (clusterRoleRules(role.clusterRole, snapshot.clusterRoles) ?? [])
        : snapshot.roles.filter((r) => r.metadata.name === role.role).flatMap((r) => r.rules);
      const used = rows.filter(
        (row) => row.permission.cluster === cluster && row.permission.role === role.name,
      );
      granted.permissions.push(...expand(rules, used).map((p) => ({ cluster, role: role.name, ...p })));
    }
  }
  return granted;
}

export interface Granted {
  permissions: GrantedPermission[];
  /** Clusters whose roles could not be read, and why. */
  skipped: { cluster: string; reason: string }[];
}

/** Each rule one verb × API group × resource at a time (once each), with its use. */
function expand(
  rules: PolicyRule[],
  used: readonly UsageRow[],
): Omit<GrantedPermission, "cluster" | "role">[] {
  const out: Omit<GrantedPermission, "cluster" | "role">[] = [];
  const seen = new Set<string>();
  for (const rule of rules) {
    for (const verb of rule.verbs)
      for (const apiGroup of rule.apiGroups ?? [])
        for (const resource of rule.resources ?? []) {
          const key = JSON.stringify([verb, apiGroup, resource, rule.resourceNames ?? []]);
          if (seen.has(key)) continue;
          seen.add(key);
          const single = { verbs: [verb], apiGroups: [apiGroup], resources: [resource] };
          const count = used
            .filter(({ permission: p }) =>
              ruleAllows(single, {
                verb: p.verb,
                apiGroup: p.apiGroup,
                resource: p.subresource ? `${p.resource}/${p.subresource}` : p.resource,
              }),
            )
            .reduce((sum, row) => sum + row.counts.count, 0);
          out.push({
            verb,
            apiGroup,
            resource,
            ...(rule.resourceNames?.length ? { resourceNames: rule.resourceNames } : {}),
            used: count,
          });
        }
  }
  return out;
}
