/**
 * Field numbers of the messages typed clients send, from the generated.proto files of
 * k8s.io/api (core/v1, rbac/v1, authentication/v1, authorization/v1, certificates/v1) and
 * apimachinery's meta/v1. Only request bodies matter, so most status messages are left out
 * (a CertificateSigningRequest's is in: `kubectl certificate approve` PUTs the whole object).
 */
import type { Field, Schema } from "./wire.ts";

const str = (name: string): Field => ({ name, type: "string" });
const strings = (name: string): Field => ({ name, type: "string", repeated: true });
const message = (name: string, type: Schema): Field => ({ name, type });
const messages = (name: string, type: Schema): Field => ({ name, type, repeated: true });
const stringMap = (name: string): Field => ({ name, type: "string", map: "string" });

const OWNER_REFERENCE: Schema = {
  1: str("kind"),
  3: str("name"),
  4: str("uid"),
  5: str("apiVersion"),
  6: { name: "controller", type: "bool" },
  7: { name: "blockOwnerDeletion", type: "bool" },
};

const MANAGED_FIELDS_ENTRY: Schema = {
  1: str("manager"),
  2: str("operation"),
  3: str("apiVersion"),
  4: { name: "time", type: "time" },
  6: str("fieldsType"),
  7: { name: "fieldsV1", type: "fieldsV1" },
  8: str("subresource"),
};

const OBJECT_META: Schema = {
  1: str("name"),
  2: str("generateName"),
  3: str("namespace"),
  5: str("uid"),
  6: str("resourceVersion"),
  7: { name: "generation", type: "int64", omitZero: true },
  8: { name: "creationTimestamp", type: "time" },
  9: { name: "deletionTimestamp", type: "time" },
  10: { name: "deletionGracePeriodSeconds", type: "int64" },
  11: stringMap("labels"),
  12: stringMap("annotations"),
  13: messages("ownerReferences", OWNER_REFERENCE),
  14: strings("finalizers"),
  17: messages("managedFields", MANAGED_FIELDS_ENTRY),
};

const metadata = message("metadata", OBJECT_META);
const extra: Field = { name: "extra", type: "string", map: { 1: strings("items") } };

const POLICY_RULE: Schema = {
  1: strings("verbs"),
  2: strings("apiGroups"),
  3: strings("resources"),
  4: strings("resourceNames"),
  5: strings("nonResourceURLs"),
};

const LABEL_SELECTOR: Schema = {
  1: stringMap("matchLabels"),
  2: messages("matchExpressions", { 1: str("key"), 2: str("operator"), 3: strings("values") }),
};

const SUBJECT: Schema = { 1: str("kind"), 2: str("apiGroup"), 3: str("name"), 4: str("namespace") };
const ROLE_REF: Schema = { 1: str("apiGroup"), 2: str("kind"), 3: str("name") };
const BINDING: Schema = { 1: metadata, 2: messages("subjects", SUBJECT), 3: message("roleRef", ROLE_REF) };

const RESOURCE_ATTRIBUTES: Schema = {
  1: str("namespace"),
  2: str("verb"),
  3: str("group"),
  4: str("version"),
  5: str("resource"),
  6: str("subresource"),
  7: str("name"),
};
const NON_RESOURCE_ATTRIBUTES: Schema = { 1: str("path"), 2: str("verb") };
const ACCESS_REVIEW_SPEC: Schema = {
  1: message("resourceAttributes", RESOURCE_ATTRIBUTES),
  2: message("nonResourceAttributes", NON_RESOURCE_ATTRIBUTES),
  3: str("user"),
  4: strings("groups"),
  5: extra,
  6: str("uid"),
};
const withSpec = (spec: Schema): Schema => ({ 1: metadata, 2: message("spec", spec) });

const CSR_CONDITION: Schema = {
  1: str("type"),
  6: str("status"),
  2: str("reason"),
  3: str("message"),
  4: { name: "lastUpdateTime", type: "time" },
  5: { name: "lastTransitionTime", type: "time" },
};

const CERTIFICATE_SIGNING_REQUEST: Schema = {
  1: metadata,
  2: message("spec", {
    1: { name: "request", type: "bytes" },
    2: str("username"),
    3: str("uid"),
    4: strings("groups"),
    5: strings("usages"),
    6: extra,
    7: str("signerName"),
    8: { name: "expirationSeconds", type: "int64" },
  }),
  3: message("status", {
    1: messages("conditions", CSR_CONDITION),
    2: { name: "certificate", type: "bytes" },
  }),
};

/** Message schema by `apiVersion/kind`. */
export const SCHEMAS: Record<string, Schema> = {
  "v1/ConfigMap": {
    1: metadata,
    2: stringMap("data"),
    3: { name: "binaryData", type: "string", map: "bytes" },
    4: { name: "immutable", type: "bool" },
  },
  "v1/Secret": {
    1: metadata,
    2: { name: "data", type: "string", map: "bytes" },
    3: str("type"),
    4: stringMap("stringData"),
    5: { name: "immutable", type: "bool" },
  },
  "v1/ServiceAccount": {
    1: metadata,
    2: messages("secrets", { 1: str("kind"), 2: str("namespace"), 3: str("name") }),
    3: messages("imagePullSecrets", { 1: str("name") }),
    4: { name: "automountServiceAccountToken", type: "bool" },
  },
  "v1/Namespace": { 1: metadata, 2: message("spec", { 1: strings("finalizers") }) },
  "rbac.authorization.k8s.io/v1/Role": { 1: metadata, 2: messages("rules", POLICY_RULE) },
  "rbac.authorization.k8s.io/v1/ClusterRole": {
    1: metadata,
    2: messages("rules", POLICY_RULE),
    3: message("aggregationRule", { 1: messages("clusterRoleSelectors", LABEL_SELECTOR) }),
  },
  "rbac.authorization.k8s.io/v1/RoleBinding": BINDING,
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": BINDING,
  "authentication.k8s.io/v1/TokenRequest": withSpec({
    1: strings("audiences"),
    3: message("boundObjectRef", { 1: str("kind"), 2: str("apiVersion"), 3: str("name"), 4: str("uid") }),
    4: { name: "expirationSeconds", type: "int64" },
  }),
  "authentication.k8s.io/v1/TokenReview": withSpec({ 1: str("token"), 2: strings("audiences") }),
  "authentication.k8s.io/v1/SelfSubjectReview": { 1: metadata },
  "authorization.k8s.io/v1/SubjectAccessReview": withSpec(ACCESS_REVIEW_SPEC),
  "authorization.k8s.io/v1/LocalSubjectAccessReview": withSpec(ACCESS_REVIEW_SPEC),
  "authorization.k8s.io/v1/SelfSubjectAccessReview": withSpec(ACCESS_REVIEW_SPEC),
  "authorization.k8s.io/v1/SelfSubjectRulesReview": withSpec({ 1: str("namespace") }),
  "certificates.k8s.io/v1/CertificateSigningRequest": CERTIFICATE_SIGNING_REQUEST,
};
