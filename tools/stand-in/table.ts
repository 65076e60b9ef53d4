/**
 * Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), which is what
 * `kubectl get` asks for: the columns of the real printers for the kinds served, ages computed
 * here like duration.HumanDuration, rows carrying PartialObjectMetadata by default.
 */

import { containersOf } from "./behaviours/pods.ts";
import type { KindInfo } from "./kinds.ts";
import type { KubeObject } from "./objects.ts";

type Cell = string | number;

interface Column {
  name: string;
  type: "string" | "integer" | "date";
  format?: string;
  priority?: number;
  cell(object: KubeObject): Cell;
}

/** `duration.HumanDuration`, down to the precision kubectl users know. */
export function humanDuration(seconds: number): string {
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 ? `${minutes}m${seconds % 60}s` : `${minutes}m`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 ? `${hours}h${minutes % 60}m` : `${hours}h`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 ? `${days}d${hours % 24}h` : `${days}d`;
  return `${days}d`;
}

const age = (object: KubeObject): string => {
  const created = Date.parse(object.metadata.creationTimestamp ?? "");
  return Number.isNaN(created) ? "<unknown>" : humanDuration(Math.floor((Date.now() - created) / 1000));
};

const field = (object: KubeObject, ...path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], object);
const count = (value: unknown): number => Object.keys((value as object | undefined) ?? {}).length;

const NAME: Column = { name: "Name", type: "string", format: "name", cell: (o) => o.metadata.name ?? "" };
const AGE: Column = { name: "Age", type: "string", cell: age };
const CREATED_AT: Column = {
  name: "Created At",
  type: "date",
  cell: (o) => o.metadata.creationTimestamp ?? "",
};

function podStatuses(pod: KubeObject): { ready?: boolean; restartCount?: number }[] {
  return (field(pod, "status", "containerStatuses") as { ready?: boolean; restartCount?: number }[]) ?? [];
}

const roleOf = (binding: KubeObject) => {
  const ref = binding.roleRef as { kind?: string; name?: string } | undefined;
  return `${ref?.kind}/${ref?.name}`;
};
const subjectsOf = (kind: string) => (binding: KubeObject) =>
  ((binding.subjects as { kind: string; name: string; namespace?: string }[] | undefined) ?? [])
    .filter((s) => s.kind === kind)
    .map((s) => (s.namespace ? `${s.namespace}/${s.name}` : s.name))
    .join(", ");

const BINDING_COLUMNS: Column[] = [
  NAME,
  { name: "Role", type: "string", cell: roleOf },
  AGE,
  { name: "Users", type: "string", priority: 1, cell: subjectsOf("User") },
  { name: "Groups", type: "string", priority: 1, cell: subjectsOf("Group") },
  { name: "ServiceAccounts", type: "string", priority: 1, cell: subjectsOf("ServiceAccount") },
];

/** printCertificateSigningRequest's condition summary (extractCSRStatus). */
function csrCondition(csr: KubeObject): string {
  const types = ((field(csr, "status", "conditions") as { type?: string }[] | undefined) ?? []).map(
    (c) => c.type,
  );
  let status = types.includes("Denied") ? "Denied" : types.includes("Approved") ? "Approved" : "Pending";
  if (types.includes("Failed")) status += ",Failed";
  if (field(csr, "status", "certificate")) status += ",Issued";
  return status;
}

const CSR_COLUMNS: Column[] = [
  NAME,
  AGE,
  { name: "SignerName", type: "string", cell: (c) => String(field(c, "spec", "signerName") ?? "") },
  { name: "Requestor", type: "string", cell: (c) => String(field(c, "spec", "username") ?? "") },
  {
    name: "RequestedDuration",
    type: "string",
    cell: (c) => {
      const seconds = field(c, "spec", "expirationSeconds");
      return typeof seconds === "number" ? humanDuration(seconds) : "<none>";
    },
  },
  { name: "Condition", type: "string", cell: csrCondition },
];

/** The events printer's columns (pkg/printers/internalversion, printEvent), Last Seen as an age. */
const EVENT_COLUMNS: Column[] = [
  {
    name: "Last Seen",
    type: "string",
    cell: (e) => {
      const last = String(
        field(e, "lastTimestamp") ?? field(e, "eventTime") ?? e.metadata.creationTimestamp ?? "",
      );
      return age({ ...e, metadata: { ...e.metadata, creationTimestamp: last } });
    },
  },
  { name: "Type", type: "string", cell: (e) => String(field(e, "type") ?? "") },
  { name: "Reason", type: "string", cell: (e) => String(field(e, "reason") ?? "") },
  {
    name: "Object",
    type: "string",
    cell: (e) =>
      `${String(field(e, "involvedObject", "kind") ?? "").toLowerCase()}/${field(e, "involvedObject", "name") ?? ""}`,
  },
  { name: "Message", type: "string", cell: (e) => String(field(e, "message") ?? "") },
];

const COLUMNS: Record<string, Column[]> = {
  events: EVENT_COLUMNS,
  pods: [
    NAME,
    {
      name: "Ready",
      type: "string",
      cell: (p) => `${podStatuses(p).filter((s) => s.ready).length}/${containersOf(p).length}`,
    },
    {
      name: "Status",
      type: "string",
      cell: (p) => (p.metadata.deletionTimestamp ? "Terminating" : String(field(p, "status", "phase") ?? "")),
    },
    {
      name: "Restarts",
      type: "string",
      cell: (p) => String(podStatuses(p).reduce((n, s) => n + (s.restartCount ?? 0), 0)),
    },
    AGE,
    { name: "IP", type: "string", priority: 1, cell: (p) => String(field(p, "status", "podIP") ?? "<none>") },
    {
      name: "Node",
      type: "string",
      priority: 1,
      cell: (p) => String(field(p, "spec", "nodeName") ?? "<none>"),
    },
  ],
  namespaces: [
    NAME,
    { name: "Status", type: "string", cell: (n) => String(field(n, "status", "phase") ?? "") },
    AGE,
  ],
  nodes: [
    NAME,
    { name: "Status", type: "string", cell: () => "Ready" },
    { name: "Roles", type: "string", cell: () => "<none>" },
    AGE,
    { name: "Version", type: "string", cell: () => "v1.32.0" },
  ],
  configmaps: [
    NAME,
    { name: "Data", type: "integer", cell: (c) => count(c.data) + count(c.binaryData) },
    AGE,
  ],
  secrets: [
    NAME,
    { name: "Type", type: "string", cell: (s) => String(s.type ?? "") },
    { name: "Data", type: "integer", cell: (s) => count(s.data) },
    AGE,
  ],
  serviceaccounts: [
    NAME,
    { name: "Secrets", type: "integer", cell: (s) => ((s.secrets as unknown[]) ?? []).length },
    AGE,
  ],
  roles: [NAME, CREATED_AT],
  clusterroles: [NAME, CREATED_AT],
  rolebindings: BINDING_COLUMNS,
  clusterrolebindings: BINDING_COLUMNS,
  certificatesigningrequests: CSR_COLUMNS,
};

export type IncludeObject = "None" | "Metadata" | "Object";

function rowObject(object: KubeObject, include: IncludeObject): KubeObject | undefined {
  if (include === "None") return undefined;
  if (include === "Object") return object;
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: object.metadata };
}

export function toTable(
  kind: KindInfo,
  objects: KubeObject[],
  metadata: Record<string, unknown>,
  include: IncludeObject = "Metadata",
): Record<string, unknown> {
  const columns = COLUMNS[kind.resource] ?? [NAME, CREATED_AT];
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata,
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? "",
      description: "",
      priority: c.priority ?? 0,
    })),
    rows: objects.map((o) => {
      const row: Record<string, unknown> = { cells: columns.map((c) => c.cell(o)) };
      const object = rowObject(o, include);
      if (object) row.object = object;
      return row;
    }),
  };
}

export function includeObjectParam(url: URL): IncludeObject {
  const value = url.searchParams.get("includeObject");
  return value === "None" || value === "Object" ? value : "Metadata";
}
