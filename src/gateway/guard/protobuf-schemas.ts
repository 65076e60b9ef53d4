/**
 * Field numbers of the kinds the guard reads, from the generated.proto files of k8s.io/api
 * (authentication/v1, core/v1, rbac/v1, certificates/v1) and apimachinery's meta/v1. Every field
 * of each message is listed, status included, so that a body as kubectl sends it (which carries
 * every field, empty ones too) reads as complete. ObjectMeta's 15 (clusterName) is gone from the
 * API, so the server skips it as unknown, and so does this.
 */
import type { Field, Scalar, Schema } from "./protobuf-decode.ts";

const str = (name: string): Field => ({ name, type: "string" });
const strs = (name: string): Field => ({ name, type: "string", repeated: true });
const of = (name: string, type: Scalar | Schema, extra: Partial<Field> = {}): Field => ({
  name,
  type,
  ...extra,
});
const list = (name: string, type: Schema): Field => ({ name, type, repeated: true });
const map = (name: string, value: Scalar | Schema): Field => ({ name, type: "string", map: value });

const OWNER_REFERENCE: Schema = {
  1: str("kind"),
  3: str("name"),
  4: str("uid"),
  5: str("apiVersion"),
  6: of("controller", "bool", { pointer: true }),
  7: of("blockOwnerDeletion", "bool", { pointer: true }),
};

const MANAGED_FIELDS_ENTRY: Schema = {
  1: str("manager"),
  2: str("operation"),
  3: str("apiVersion"),
  4: of("time", "time"),
  6: str("fieldsType"),
  7: of("fieldsV1", "fieldsV1"),
  8: str("subresource"),
};

const OBJECT_META: Schema = {
  1: str("name"),
  2: str("generateName"),
  3: str("namespace"),
  4: str("selfLink"),
  5: str("uid"),
  6: str("resourceVersion"),
  7: of("generation", "int64"),
  8: of("creationTimestamp", "time"),
  9: of("deletionTimestamp", "time"),
  10: of("deletionGracePeriodSeconds", "int64", { pointer: true }),
  11: map("labels", "string"),
  12: map("annotations", "string"),
  13: list("ownerReferences", OWNER_REFERENCE),
  14: strs("finalizers"),
  17: list("managedFields", MANAGED_FIELDS_ENTRY),
};

const metadata = of("metadata", OBJECT_META);

const TOKEN_REQUEST: Schema = {
  1: metadata,
  2: of("spec", {
    1: strs("audiences"),
    3: of("boundObjectRef", { 1: str("kind"), 2: str("apiVersion"), 3: str("name"), 4: str("uid") }),
    4: of("expirationSeconds", "int64", { pointer: true }),
  }),
  3: of("status", { 1: str("token"), 2: of("expirationTimestamp", "time") }),
};

const SECRET: Schema = {
  1: metadata,
  2: map("data", "bytes"),
  3: str("type"),
  4: map("stringData", "string"),
  5: of("immutable", "bool", { pointer: true }),
};

const POLICY_RULE: Schema = {
  1: strs("verbs"),
  2: strs("apiGroups"),
  3: strs("resources"),
  4: strs("resourceNames"),
  5: strs("nonResourceURLs"),
};

const LABEL_SELECTOR: Schema = {
  1: map("matchLabels", "string"),
  2: list("matchExpressions", { 1: str("key"), 2: str("operator"), 3: strs("values") }),
};

const ROLE: Schema = { 1: metadata, 2: list("rules", POLICY_RULE) };

const CLUSTER_ROLE: Schema = {
  ...ROLE,
  3: of("aggregationRule", { 1: list("clusterRoleSelectors", LABEL_SELECTOR) }),
};

const BINDING: Schema = {
  1: metadata,
  2: list("subjects", { 1: str("kind"), 2: str("apiGroup"), 3: str("name"), 4: str("namespace") }),
  3: of("roleRef", { 1: str("apiGroup"), 2: str("kind"), 3: str("name") }),
};

const CERTIFICATE_SIGNING_REQUEST: Schema = {
  1: metadata,
  2: of("spec", {
    1: of("request", "bytes"),
    2: str("username"),
    3: str("uid"),
    4: strs("groups"),
    5: strs("usages"),
    6: map("extra", "strings"),
    7: str("signerName"),
    8: of("expirationSeconds", "int32", { pointer: true }),
  }),
  3: of("status", {
    1: list("conditions", {
      1: str("type"),
      2: str("reason"),
      3: str("message"),
      4: of("lastUpdateTime", "time"),
      5: of("lastTransitionTime", "time"),
      6: str("status"),
    }),
    2: of("certificate", "bytes"),
  }),
};

/** Message schema by `apiVersion/kind`, as the runtime.Unknown envelope names the kind. */
export const SCHEMAS: Readonly<Record<string, Schema>> = {
  "authentication.k8s.io/v1/TokenRequest": TOKEN_REQUEST,
  "v1/Secret": SECRET,
  "rbac.authorization.k8s.io/v1/Role": ROLE,
  "rbac.authorization.k8s.io/v1/ClusterRole": CLUSTER_ROLE,
  "rbac.authorization.k8s.io/v1/RoleBinding": BINDING,
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": BINDING,
  "certificates.k8s.io/v1/CertificateSigningRequest": CERTIFICATE_SIGNING_REQUEST,
};
