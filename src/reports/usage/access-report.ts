import {
  type CountsView,
  countsView,
  groupRows,
  type ReportInput,
  selectRows,
  windowView,
} from "./report-rows.ts";
import { filterView } from "./usage-report.ts";

/** What one person did to one resource in one namespace of one cluster. */
export interface AccessItem extends CountsView {
  user: string;
  cluster: string;
  namespace: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  /** Requests per verb. */
  verbs: Record<string, number>;
}

export interface AccessReport {
  kind: "AccessReport";
  window: ReturnType<typeof windowView>;
  filter: Record<string, string>;
  items: AccessItem[];
}

/** `report access`: who accessed what — user × cluster/namespace × resource, by verb. */
export async function accessReport(input: ReportInput): Promise<AccessReport> {
  const { rows } = await selectRows(input);
  const groups = groupRows(rows, ({ permission: p }) =>
    JSON.stringify([p.user, p.cluster, p.namespace, p.apiGroup, p.resource, p.subresource]),
  );
  const items = groups.map(({ first, counts, rows: members }) => {
    const p = first.permission;
    const verbs: Record<string, number> = {};
    for (const row of members)
      verbs[row.permission.verb] = (verbs[row.permission.verb] ?? 0) + row.counts.count;
    return {
      user: p.user,
      cluster: p.cluster,
      namespace: p.namespace,
      apiGroup: p.apiGroup,
      resource: p.resource,
      subresource: p.subresource,
      verbs: Object.fromEntries(Object.entries(verbs).sort(([a], [b]) => a.localeCompare(b))),
      ...countsView(counts),
    };
  });
  const order = (i: AccessItem) =>
    [i.user, i.cluster, i.namespace, i.apiGroup, i.resource, i.subresource].join(" ");
  items.sort((a, b) => order(a).localeCompare(order(b)));
  return { kind: "AccessReport", window: windowView(input.query), filter: filterView(input), items };
}
