/**
 * OpenAPI v3 schemas, in the real documents' shape (components.schemas named after the Go
 * package, references as `allOf: [{$ref}]`, the kind's `x-kubernetes-group-version-kind`), for
 * what `kubectl explain` walks: ObjectMeta and the Pod's types. Descriptions are the first
 * sentences of the Go types' comments (k8s.io/api core/v1 types.go, apimachinery meta/v1); only
 * the commonly used fields are written out.
 */

export type OpenApiSchema = Record<string, unknown>;

export const CORE = "io.k8s.api.core.v1";
export const META = "io.k8s.apimachinery.pkg.apis.meta.v1";

const pointer = (name: string) => ({ $ref: `#/components/schemas/${name}` });

export const str = (description: string): OpenApiSchema => ({ description, type: "string" });
export const int = (description: string, format = "int32"): OpenApiSchema => ({
  description,
  type: "integer",
  format,
});
export const bool = (description: string): OpenApiSchema => ({ description, type: "boolean" });
export const time = (description: string): OpenApiSchema => ({
  description,
  type: "string",
  format: "date-time",
});
export const ref = (name: string, description: string): OpenApiSchema => ({
  description,
  default: {},
  allOf: [pointer(name)],
});
export const listOf = (name: string, description: string): OpenApiSchema => ({
  description,
  type: "array",
  items: { default: {}, allOf: [pointer(name)] },
});
export const strings = (description: string): OpenApiSchema => ({
  description,
  type: "array",
  items: { type: "string", default: "" },
});
export const stringMap = (description: string): OpenApiSchema => ({
  description,
  type: "object",
  additionalProperties: { type: "string", default: "" },
});
export const quantityMap = (description: string): OpenApiSchema => ({
  description,
  type: "object",
  additionalProperties: pointer("io.k8s.apimachinery.pkg.api.resource.Quantity"),
});

export function object(
  description: string,
  properties: Record<string, OpenApiSchema>,
  required: string[] = [],
): OpenApiSchema {
  const schema: OpenApiSchema = { description, type: "object", properties };
  if (required.length) schema.required = required;
  return schema;
}

/** A top-level kind: apiVersion, kind and metadata, then its own fields, tagged with its GVK. */
export function kindSchema(
  gvk: { group: string; version: string; kind: string },
  description: string,
  properties: Record<string, OpenApiSchema>,
): OpenApiSchema {
  return {
    ...object(description, {
      apiVersion: str(
        "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.",
      ),
      kind: str(
        "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase.",
      ),
      metadata: ref(`${META}.ObjectMeta`, "Standard object's metadata."),
      ...properties,
    }),
    "x-kubernetes-group-version-kind": [gvk],
  };
}

export const SHARED_SCHEMAS: Record<string, OpenApiSchema> = {
  "io.k8s.apimachinery.pkg.api.resource.Quantity": str(
    "Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.",
  ),
  [`${META}.ObjectMeta`]: object(
    "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
    {
      name: str("Name must be unique within a namespace. Is required when creating resources."),
      generateName: str(
        "GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.",
      ),
      namespace: str("Namespace defines the space within which each name must be unique."),
      uid: str("UID is the unique in time and space value for this object."),
      resourceVersion: str(
        "An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed.",
      ),
      creationTimestamp: time(
        "CreationTimestamp is a timestamp representing the server time when this object was created.",
      ),
      deletionTimestamp: time(
        "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.",
      ),
      labels: stringMap(
        "Map of string keys and values that can be used to organize and categorize (scope and select) objects.",
      ),
      annotations: stringMap(
        "Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata.",
      ),
      finalizers: strings(
        "Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component that will remove the entry from the list.",
      ),
    },
  ),
  [`${CORE}.PodSpec`]: object(
    "PodSpec is a description of a pod.",
    {
      containers: listOf(
        `${CORE}.Container`,
        "List of containers belonging to the pod. Containers cannot currently be added or removed. There must be at least one container in a Pod. Cannot be updated.",
      ),
      initContainers: listOf(
        `${CORE}.Container`,
        "List of initialization containers belonging to the pod. Init containers are executed in order prior to containers being started.",
      ),
      serviceAccountName: str("ServiceAccountName is the name of the ServiceAccount to use to run this pod."),
      nodeName: str(
        "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName.",
      ),
      restartPolicy: str(
        "Restart policy for all containers within the pod. One of Always, OnFailure, Never. Default to Always.",
      ),
      terminationGracePeriodSeconds: int(
        "Optional duration in seconds the pod needs to terminate gracefully. May be decreased in delete request.",
        "int64",
      ),
      nodeSelector: stringMap(
        "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node.",
      ),
    },
    ["containers"],
  ),
  [`${CORE}.Container`]: object(
    "A single application container that you want to run within a pod.",
    {
      name: str(
        "Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name (DNS_LABEL). Cannot be updated.",
      ),
      image: str("Container image name. More info: https://kubernetes.io/docs/concepts/containers/images"),
      imagePullPolicy: str("Image pull policy. One of Always, Never, IfNotPresent."),
      command: strings(
        "Entrypoint array. Not executed within a shell. The container image's ENTRYPOINT is used if this is not provided.",
      ),
      args: strings(
        "Arguments to the entrypoint. The container image's CMD is used if this is not provided.",
      ),
      workingDir: str(
        "Container's working directory. If not specified, the container runtime's default will be used.",
      ),
      env: listOf(
        `${CORE}.EnvVar`,
        "List of environment variables to set in the container. Cannot be updated.",
      ),
      ports: listOf(`${CORE}.ContainerPort`, "List of ports to expose from the container."),
      resources: ref(
        `${CORE}.ResourceRequirements`,
        "Compute Resources required by this container. Cannot be updated.",
      ),
    },
    ["name"],
  ),
  [`${CORE}.EnvVar`]: object(
    "EnvVar represents an environment variable present in a Container.",
    {
      name: str("Name of the environment variable. Must be a C_IDENTIFIER."),
      value: str(
        "Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container.",
      ),
    },
    ["name"],
  ),
  [`${CORE}.ContainerPort`]: object(
    "ContainerPort represents a network port in a single container.",
    {
      containerPort: int(
        "Number of port to expose on the pod's IP address. This must be a valid port number, 0 < x < 65536.",
      ),
      name: str("If specified, this must be an IANA_SVC_NAME and unique within the pod."),
      protocol: str('Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".'),
    },
    ["containerPort"],
  ),
  [`${CORE}.ResourceRequirements`]: object(
    "ResourceRequirements describes the compute resource requirements.",
    {
      limits: quantityMap("Limits describes the maximum amount of compute resources allowed."),
      requests: quantityMap("Requests describes the minimum amount of compute resources required."),
    },
  ),
  [`${CORE}.PodStatus`]: object(
    "PodStatus represents information about the status of a pod. Status may trail the actual state of a system, especially if the node that hosts the pod cannot contact the control plane.",
    {
      phase: str(
        "The phase of a Pod is a simple, high-level summary of where the Pod is in its lifecycle. One of Pending, Running, Succeeded, Failed, Unknown.",
      ),
      hostIP: str("hostIP holds the IP address of the host to which the pod is assigned."),
      podIP: str("podIP address allocated to the pod. Routable at least within the cluster."),
      startTime: time("RFC 3339 date and time at which the object was acknowledged by the Kubelet."),
    },
  ),
  [`${CORE}.PodTemplateSpec`]: object(
    "PodTemplateSpec describes the data a pod should have when created from a template",
    {
      metadata: ref(`${META}.ObjectMeta`, "Standard object's metadata."),
      spec: ref(`${CORE}.PodSpec`, "Specification of the desired behavior of the pod."),
    },
  ),
  [`${META}.LabelSelector`]: object(
    "A label selector is a label query over a set of resources. An empty label selector matches all objects. A null label selector matches no objects.",
    {
      matchLabels: stringMap(
        "matchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels map is equivalent to an element of matchExpressions.",
      ),
    },
  ),
};

export const POD = kindSchema(
  { group: "", version: "v1", kind: "Pod" },
  "Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.",
  {
    spec: ref(`${CORE}.PodSpec`, "Specification of the desired behavior of the pod."),
    status: ref(
      `${CORE}.PodStatus`,
      "Most recently observed status of the pod. This data may not be up to date.",
    ),
  },
);
