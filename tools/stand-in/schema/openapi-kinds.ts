/**
 * The OpenAPI v3 schema of every kind served, by group/version, for `kubectl explain`: written
 * out (with descriptions from the Go types) for the kinds people explain most, and for the rest a
 * schema with apiVersion, kind and metadata only, so every served kind is at least found.
 */
import { KINDS, type KindInfo } from "../kinds.ts";
import {
  bool,
  CORE,
  int,
  kindSchema,
  listOf,
  META,
  type OpenApiSchema,
  object,
  POD,
  ref,
  SHARED_SCHEMAS,
  str,
  stringMap,
  strings,
  time,
} from "./openapi-pod.ts";

const APPS = "io.k8s.api.apps.v1";

const TYPES: Record<string, OpenApiSchema> = {
  ...SHARED_SCHEMAS,
  [`${CORE}.NamespaceSpec`]: object("NamespaceSpec describes the attributes on a Namespace.", {
    finalizers: strings(
      "Finalizers is an opaque list of values that must be empty to permanently remove object from storage.",
    ),
  }),
  [`${CORE}.NamespaceStatus`]: object(
    "NamespaceStatus is information about the current status of a Namespace.",
    {
      phase: str("Phase is the current lifecycle phase of the namespace."),
    },
  ),
  [`${CORE}.ServiceSpec`]: object("ServiceSpec describes the attributes that a user creates on a service.", {
    type: str(
      "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.",
    ),
    selector: stringMap("Route service traffic to pods with label keys and values matching this selector."),
    ports: listOf(`${CORE}.ServicePort`, "The list of ports that are exposed by this service."),
    clusterIP: str("clusterIP is the IP address of the service and is usually assigned randomly."),
  }),
  [`${CORE}.ServicePort`]: object(
    "ServicePort contains information on service's port.",
    {
      name: str("The name of this port within the service. This must be a DNS_LABEL."),
      protocol: str('The IP protocol for this port. Supports "TCP", "UDP", and "SCTP". Default is TCP.'),
      port: int("The port that will be exposed by this service."),
      targetPort: {
        description: "Number or name of the port to access on the pods targeted by the service.",
        format: "int-or-string",
        "x-kubernetes-int-or-string": true,
      },
      nodePort: int(
        "The port on each node on which this service is exposed when type is NodePort or LoadBalancer.",
      ),
    },
    ["port"],
  ),
  [`${CORE}.LocalObjectReference`]: object(
    "LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.",
    { name: str("Name of the referent.") },
  ),
  [`${CORE}.ObjectReference`]: object(
    "ObjectReference contains enough information to let you inspect or modify the referred object.",
    {
      kind: str("Kind of the referent."),
      namespace: str("Namespace of the referent."),
      name: str("Name of the referent."),
      uid: str("UID of the referent."),
      apiVersion: str("API version of the referent."),
      fieldPath: str(
        "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].",
      ),
    },
  ),
  [`${APPS}.DeploymentSpec`]: object(
    "DeploymentSpec is the specification of the desired behavior of the Deployment.",
    {
      replicas: int(
        "Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1.",
      ),
      selector: ref(
        `${META}.LabelSelector`,
        "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
      ),
      template: ref(`${CORE}.PodTemplateSpec`, "Template describes the pods that will be created."),
      paused: bool("Indicates that the deployment is paused."),
    },
    ["selector", "template"],
  ),
  [`${APPS}.DeploymentStatus`]: object(
    "DeploymentStatus is the most recently observed status of the Deployment.",
    {
      replicas: int(
        "Total number of non-terminated pods targeted by this deployment (their labels match the selector).",
      ),
      readyReplicas: int(
        "Total number of non-terminated pods targeted by this Deployment with a Ready Condition.",
      ),
      availableReplicas: int(
        "Total number of available non-terminated pods (ready for at least minReadySeconds) targeted by this deployment.",
      ),
    },
  ),
};

/** Kind → its own fields and description (apiVersion, kind and metadata are added). */
const KIND_FIELDS: Record<string, [description: string, fields: Record<string, OpenApiSchema>]> = {
  "v1/Namespace": [
    "Namespace provides a scope for Names. Use of multiple namespaces is optional.",
    {
      spec: ref(`${CORE}.NamespaceSpec`, "Spec defines the behavior of the Namespace."),
      status: ref(`${CORE}.NamespaceStatus`, "Status describes the current status of a Namespace."),
    },
  ],
  "v1/ConfigMap": [
    "ConfigMap holds configuration data for pods to consume.",
    {
      data: stringMap(
        "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'.",
      ),
      binaryData: stringMap(
        "BinaryData contains the binary data. Each key must consist of alphanumeric characters, '-', '_' or '.'.",
      ),
      immutable: bool(
        "Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified).",
      ),
    },
  ],
  "v1/Secret": [
    "Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.",
    {
      data: stringMap(
        "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'.",
      ),
      stringData: stringMap(
        "stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience.",
      ),
      type: str("Used to facilitate programmatic handling of secret data."),
      immutable: bool(
        "Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified).",
      ),
    },
  ],
  "v1/ServiceAccount": [
    "ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for an identity * a principal that can be authenticated and authorized * a set of secrets",
    {
      automountServiceAccountToken: bool(
        "AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted.",
      ),
      imagePullSecrets: listOf(
        `${CORE}.LocalObjectReference`,
        "ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount.",
      ),
      secrets: listOf(
        `${CORE}.ObjectReference`,
        "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.",
      ),
    },
  ],
  "v1/Service": [
    "Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.",
    { spec: ref(`${CORE}.ServiceSpec`, "Spec defines the behavior of a service.") },
  ],
  "v1/Event": [
    "Event is a report of an event somewhere in the cluster.",
    {
      involvedObject: ref(`${CORE}.ObjectReference`, "The object that this event is about."),
      reason: str(
        "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
      ),
      message: str("A human-readable description of the status of this operation."),
      type: str("Type of this event (Normal, Warning), new types could be added in the future"),
      count: int("The number of times this event has occurred."),
      firstTimestamp: time(
        "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
      ),
      lastTimestamp: time("The time at which the most recent occurrence of this event was recorded."),
    },
  ],
  "apps/v1/Deployment": [
    "Deployment enables declarative updates for Pods and ReplicaSets.",
    {
      spec: ref(`${APPS}.DeploymentSpec`, "Specification of the desired behavior of the Deployment."),
      status: ref(`${APPS}.DeploymentStatus`, "Most recently observed status of the Deployment."),
    },
  ],
};

/** The Go package a group's types live in, which names its schemas. */
function packageOf(kind: KindInfo): string {
  if (!kind.group) return CORE;
  const [first, ...rest] = kind.group.split(".");
  if (rest.join(".") === "k8s.io") return `io.k8s.api.${first}.${kind.version}`;
  if (kind.group === "rbac.authorization.k8s.io") return `io.k8s.api.rbac.${kind.version}`;
  return `io.k8s.api.${kind.group.split(".").reverse().join(".")}.${kind.version}`;
}

function schemaOf(kind: KindInfo): OpenApiSchema {
  if (kind.kind === "Pod" && !kind.group) return POD;
  const gv = kind.group ? `${kind.group}/${kind.version}` : kind.version;
  const [description, fields] = KIND_FIELDS[`${gv}/${kind.kind}`] ?? [
    `${kind.kind} (the stand-in describes only its metadata).`,
    {},
  ];
  return kindSchema({ group: kind.group, version: kind.version, kind: kind.kind }, description, fields);
}

/** components.schemas for one group/version's document: its kinds and every type they use. */
export function schemasFor(group: string, version: string): Record<string, OpenApiSchema> {
  const kinds = KINDS.filter((k) => k.group === group && k.version === version);
  return { ...TYPES, ...Object.fromEntries(kinds.map((k) => [`${packageOf(k)}.${k.kind}`, schemaOf(k)])) };
}
