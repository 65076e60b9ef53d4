/**
 * The merge-relevant shape of each stored kind, transcribed from the Go types of k8s.io/api
 * 1.32 (core/v1, rbac/v1, certificates/v1) and apimachinery's ObjectMeta. Only what changes how
 * a patch or an apply merges is written down; everything else is deduced. RBAC's lists are
 * atomic (no patchMergeKey), so a patch or apply replaces `subjects` and `rules` whole, and a
 * RoleRef is an atomic struct.
 */
import {
  atomicList,
  DEDUCED,
  type MapSchema,
  mapList,
  mapOf,
  SCALAR,
  type Schema,
  setList,
  struct,
} from "./schema.ts";

const scalars = (...names: string[]): Record<string, Schema> =>
  Object.fromEntries(names.map((name) => [name, SCALAR]));

const OWNER_REFERENCE = struct(
  scalars("apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion"),
  { atomic: true },
);

const MANAGED_FIELDS_ENTRY = struct({
  ...scalars("manager", "operation", "apiVersion", "time", "fieldsType", "subresource"),
  fieldsV1: { kind: "map", values: DEDUCED, atomic: true },
});

export const OBJECT_META = struct({
  ...scalars(
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
  ),
  labels: mapOf(SCALAR),
  annotations: mapOf(SCALAR),
  ownerReferences: mapList(["uid"], OWNER_REFERENCE, "uid"),
  finalizers: setList(true),
  managedFields: atomicList(MANAGED_FIELDS_ENTRY),
});

const withMeta = (fields: Record<string, Schema>): MapSchema =>
  struct({ ...scalars("apiVersion", "kind"), metadata: OBJECT_META, ...fields });

const OBJECT_REFERENCE = struct(
  scalars("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"),
  { atomic: true },
);
const LOCAL_REFERENCE = struct(scalars("name"), { atomic: true });
const CONDITION = struct(
  scalars("type", "status", "reason", "message", "lastTransitionTime", "lastUpdateTime", "lastHeartbeatTime"),
);
const LABEL_SELECTOR = struct(
  { matchLabels: mapOf(SCALAR), matchExpressions: atomicList(DEDUCED) },
  { atomic: true },
);

const CONTAINER = struct({
  name: SCALAR,
  image: SCALAR,
  command: atomicList(),
  args: atomicList(),
  ports: mapList(["containerPort", "protocol"], struct({}), "containerPort"),
  envFrom: atomicList(DEDUCED),
  env: mapList(["name"], struct({}), "name"),
  resizePolicy: atomicList(DEDUCED),
  volumeMounts: mapList(["mountPath"], struct({}), "mountPath"),
  volumeDevices: mapList(["devicePath"], struct({}), "devicePath"),
});

const POD_SPEC = struct({
  volumes: mapList(["name"], struct({}), "name", { retainKeys: true }),
  initContainers: mapList(["name"], CONTAINER, "name"),
  containers: mapList(["name"], CONTAINER, "name"),
  ephemeralContainers: mapList(["name"], CONTAINER, "name"),
  nodeSelector: { kind: "map", values: SCALAR, atomic: true },
  imagePullSecrets: mapList(["name"], LOCAL_REFERENCE, "name"),
  tolerations: atomicList(DEDUCED),
  hostAliases: mapList(["ip"], struct({ hostnames: atomicList() }), "ip"),
  readinessGates: atomicList(DEDUCED),
  topologySpreadConstraints: mapList(["topologyKey", "whenUnsatisfiable"], struct({}), "topologyKey"),
  schedulingGates: mapList(["name"], struct({}), "name"),
  resourceClaims: mapList(["name"], struct({}), "name", { retainKeys: true }),
});

const POD_STATUS = struct({
  conditions: mapList(["type"], CONDITION, "type"),
  podIPs: mapList(["ip"], struct({}), "ip"),
  hostIPs: mapList(["ip"], struct({}), "ip"),
  initContainerStatuses: atomicList(DEDUCED),
  containerStatuses: atomicList(DEDUCED),
  ephemeralContainerStatuses: atomicList(DEDUCED),
});

const POLICY_RULE = struct({
  verbs: atomicList(),
  apiGroups: atomicList(),
  resources: atomicList(),
  resourceNames: atomicList(),
  nonResourceURLs: atomicList(),
});
const ROLE_REF = struct(scalars("apiGroup", "kind", "name"), { atomic: true });
const SUBJECT = struct(scalars("kind", "apiGroup", "name", "namespace"), { atomic: true });

export interface KindSchema {
  schema: MapSchema;
  /**
   * Fields the registry strategy resets (GetResetFields), by subresource ("" for the object
   * itself): they are never owned by a field manager.
   */
  resetFields?: Record<string, string[][]>;
  /** What the kind's zero value serializes to (Go writes non-pointer structs even when empty). */
  empty?: Record<string, unknown>;
}

const withStatus = (subresources: Record<string, string[][]> = {}) => ({
  "": [["status"]],
  status: [["spec"]],
  ...subresources,
});

export const KIND_SCHEMAS: Record<string, KindSchema> = {
  namespaces: {
    schema: withMeta({
      spec: struct({ finalizers: atomicList() }),
      status: struct({ conditions: mapList(["type"], CONDITION, "type") }),
    }),
    resetFields: withStatus(),
    empty: { spec: {}, status: {} },
  },
  nodes: {
    schema: withMeta({
      spec: struct({ podCIDRs: setList(true), taints: atomicList(DEDUCED) }),
      status: struct({
        conditions: mapList(["type"], CONDITION, "type"),
        addresses: mapList(["type"], struct({}), "type"),
        images: atomicList(DEDUCED),
        volumesInUse: atomicList(),
        volumesAttached: atomicList(DEDUCED),
      }),
    }),
    resetFields: withStatus(),
    empty: { spec: {}, status: {} },
  },
  serviceaccounts: {
    schema: withMeta({
      secrets: mapList(["name"], OBJECT_REFERENCE, "name"),
      imagePullSecrets: atomicList(LOCAL_REFERENCE),
      automountServiceAccountToken: SCALAR,
    }),
  },
  secrets: {
    schema: withMeta({ ...scalars("type", "immutable"), data: mapOf(SCALAR), stringData: mapOf(SCALAR) }),
  },
  configmaps: {
    schema: withMeta({ immutable: SCALAR, data: mapOf(SCALAR), binaryData: mapOf(SCALAR) }),
  },
  pods: {
    schema: withMeta({ spec: POD_SPEC, status: POD_STATUS }),
    resetFields: withStatus(),
    empty: { spec: {}, status: {} },
  },
  roles: { schema: withMeta({ rules: atomicList(POLICY_RULE) }) },
  clusterroles: {
    schema: withMeta({
      rules: atomicList(POLICY_RULE),
      aggregationRule: struct({ clusterRoleSelectors: atomicList(LABEL_SELECTOR) }),
    }),
  },
  rolebindings: { schema: withMeta({ subjects: atomicList(SUBJECT), roleRef: ROLE_REF }) },
  clusterrolebindings: { schema: withMeta({ subjects: atomicList(SUBJECT), roleRef: ROLE_REF }) },
  certificatesigningrequests: {
    schema: withMeta({
      spec: struct({
        ...scalars("request", "signerName", "expirationSeconds", "username", "uid"),
        usages: atomicList(),
        groups: atomicList(),
        extra: mapOf(atomicList()),
      }),
      status: struct({
        // listType=map by type, but no patchStrategy: strategic merge patch replaces the list.
        conditions: mapList(["type"], CONDITION),
        certificate: SCALAR,
      }),
    }),
    resetFields: {
      "": [["spec"], ["status"]],
      approval: [["spec"], ["status", "certificate"]],
      status: [["spec"], ["status", "conditions"]],
    },
    empty: { spec: {}, status: {} },
  },
};

const FALLBACK: KindSchema = { schema: withMeta({}) };

export function kindSchema(resource: string): KindSchema {
  return KIND_SCHEMAS[resource] ?? FALLBACK;
}

/** ObjectMeta's maps and lists, all `omitempty`. */
const META_OPTIONALS = ["labels", "annotations", "finalizers", "ownerReferences", "managedFields"];

/** Top-level `omitempty` maps and lists, by resource (a non-omitempty one, like Role.rules, stays). */
const OPTIONALS: Record<string, string[]> = {
  secrets: ["data", "stringData"],
  configmaps: ["data", "binaryData"],
  serviceaccounts: ["secrets", "imagePullSecrets"],
  rolebindings: ["subjects"],
  clusterrolebindings: ["subjects"],
};

const isEmpty = (value: unknown) =>
  value === null ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === "object" && value !== null && Object.keys(value).length === 0);

/**
 * What a trip through the Go type does to empty optional fields: `labels: {}` or `subjects: []`
 * is written as nothing at all, so an object never shows them (a `$patch: delete` of the labels
 * leaves no `labels`).
 */
export function dropEmptyOptionals(
  resource: string,
  object: { metadata?: Record<string, unknown> } & Record<string, unknown>,
): void {
  for (const field of OPTIONALS[resource] ?? [])
    if (field in object && isEmpty(object[field])) delete object[field];
  const meta = object.metadata;
  if (meta) for (const field of META_OPTIONALS) if (field in meta && isEmpty(meta[field])) delete meta[field];
}
