import { type Granted, grantedPermissions } from "./granted-permissions.ts";
import {
  type CountsView,
  countsView,
  groupRows,
  type ReportInput,
  selectRows,
  windowView,
} from "./report-rows.ts";

/** One permission used through the gateway, with who used it and under which roles. */
export interface UsedPermission extends CountsView {
  cluster: string;
  namespace: string;
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  users: string[];
  roles: string[];
}

export interface UsageReport {
  kind: "UsageReport";
  window: ReturnType<typeof windowView>;
  filter: Record<string, string>;
  items: UsedPermission[];
  /**
   * With a role: each verb on each resource the role grants (its effective rules), with how
   * often it was used; those used 0 times are the role's unused permissions.
   */
  granted?: Granted;
}

/**
 * `report usage`: the permissions used through the gateway in a window (by role, user, grant
 * or CI rule), each with its counts, denials, first and last use, and the names used when few.
 */
export async function usageReport(input: ReportInput): Promise<UsageReport> {
  const { rows } = await selectRows(input);
  const groups = groupRows(rows, ({ permission: p }) =>
    JSON.stringify([p.cluster, p.namespace, p.apiGroup, p.resource, p.subresource, p.verb]),
  );
  const items = groups.map(({ first, counts, rows: members }) => {
    const p = first.permission;
    return {
      cluster: p.cluster,
      namespace: p.namespace,
      verb: p.verb,
      apiGroup: p.apiGroup,
      resource: p.resource,
      subresource: p.subresource,
      ...countsView(counts),
      users: distinct(members.map((row) => row.permission.user)),
      roles: distinct(members.map((row) => row.permission.role)),
    };
  });
  items.sort((a, b) => b.count - a.count || permissionOrder(a, b));
  const { query, config } = input;
  const report: UsageReport = {
    kind: "UsageReport",
    window: windowView(query),
    filter: filterView(input),
    items,
  };
  if (query.role !== undefined) {
    const clusters = query.cluster ? [query.cluster] : config.clusters.map((c) => c.name);
    report.granted = await grantedPermissions(config, input.readers, { roles: [query.role], clusters }, rows);
  }
  return report;
}

/** The filters a report was narrowed by, as given (the caller's own name when scoped). */
export function filterView(input: ReportInput): Record<string, string> {
  const { query } = input;
  const resource = query.resource
    ? `${query.resource.resource}${query.resource.apiGroup ? `.${query.resource.apiGroup}` : ""}`
    : undefined;
  const entries = Object.entries({
    cluster: query.cluster,
    namespace: query.namespace,
    resource,
    user: query.user,
    role: query.role,
    grant: query.grant,
    ciRule: query.ciRule,
  });
  return Object.fromEntries(entries.filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export function distinct(values: string[]): string[] {
  return [...new Set(values)].sort();
}

function permissionOrder(a: UsedPermission, b: UsedPermission): number {
  const key = (p: UsedPermission) =>
    [p.cluster, p.namespace, p.apiGroup, p.resource, p.subresource, p.verb].join(" ");
  return key(a).localeCompare(key(b));
}
