/**
 * The default ClusterRoles and ClusterRoleBindings of a 1.32 API server
 * (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go), limited to the groups that
 * matter here but keeping every rule of the core group: `view` reads but never secrets,
 * `edit` adds writes, pods/exec and serviceaccounts/token, `admin` adds roles and bindings.
 * view/edit/admin are aggregated from the system:aggregate-to-* roles, as upstream. None of them
 * touches CertificateSigningRequests: those rights are in the certificates roles below
 * (node-bootstrapper, the node client auto-approval roles and one approver role per signer),
 * which have no default bindings.
 */
import type { KubeObject } from "../objects.ts";
import { type PolicyRule, RBAC_GROUP, type Subject } from "./types.ts";

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];
const READ_WRITE = [...READ, ...WRITE];
const CORE = "";
const AUTHN = "authentication.k8s.io";
const AUTHZ = "authorization.k8s.io";
const CERTIFICATES = "certificates.k8s.io";

const rule = (verbs: string[], apiGroups: string[], resources: string[]): PolicyRule => ({
  verbs,
  apiGroups,
  resources,
});
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

const AGGREGATE_TO_VIEW: PolicyRule[] = [
  rule(
    READ,
    [CORE],
    [
      "pods",
      "replicationcontrollers",
      "replicationcontrollers/scale",
      "serviceaccounts",
      "services",
      "services/status",
      "endpoints",
      "persistentvolumeclaims",
      "persistentvolumeclaims/status",
      "configmaps",
    ],
  ),
  rule(
    READ,
    [CORE],
    [
      "limitranges",
      "resourcequotas",
      "bindings",
      "events",
      "pods/status",
      "resourcequotas/status",
      "namespaces/status",
      "replicationcontrollers/status",
      "pods/log",
    ],
  ),
  rule(READ, [CORE], ["namespaces"]),
  rule(READ, ["discovery.k8s.io"], ["endpointslices"]),
  rule(READ, ["apps"], ["controllerrevisions", "statefulsets", "daemonsets", "deployments", "replicasets"]),
  rule(READ, ["batch"], ["jobs", "cronjobs"]),
];

const AGGREGATE_TO_EDIT: PolicyRule[] = [
  rule(
    READ,
    [CORE],
    ["pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets", "services/proxy"],
  ),
  rule(["impersonate"], [CORE], ["serviceaccounts"]),
  rule(WRITE, [CORE], ["pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"]),
  rule(["create"], [CORE], ["pods/eviction"]),
  rule(
    WRITE,
    [CORE],
    [
      "replicationcontrollers",
      "replicationcontrollers/scale",
      "serviceaccounts",
      "services",
      "services/proxy",
      "persistentvolumeclaims",
      "configmaps",
      "secrets",
      "events",
    ],
  ),
  rule(["create"], [CORE], ["serviceaccounts/token"]),
  rule(WRITE, ["apps"], ["statefulsets", "daemonsets", "deployments", "replicasets"]),
  rule(WRITE, ["batch"], ["jobs", "cronjobs"]),
];

const AGGREGATE_TO_ADMIN: PolicyRule[] = [
  rule(["create"], [AUTHZ], ["localsubjectaccessreviews"]),
  rule(READ_WRITE, [RBAC_GROUP], ["roles", "rolebindings"]),
];

function clusterRole(name: string, rules: PolicyRule[], labels: Record<string, string> = {}): KubeObject {
  return {
    kind: "ClusterRole",
    metadata: {
      name,
      labels: { "kubernetes.io/bootstrapping": "rbac-defaults", ...labels },
      annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
    },
    rules,
  };
}

function aggregated(name: string, from: string, labels: Record<string, string> = {}): KubeObject {
  return {
    ...clusterRole(name, [], labels),
    aggregationRule: {
      clusterRoleSelectors: [{ matchLabels: { [`rbac.authorization.k8s.io/aggregate-to-${from}`]: "true" } }],
    },
  };
}

const aggregateLabel = (to: string) => ({ [`rbac.authorization.k8s.io/aggregate-to-${to}`]: "true" });

/** `approve` on the signer named `signer` (system:certificates.k8s.io:<name>-approver). */
const approver = (name: string, signer: string) =>
  clusterRole(`system:certificates.k8s.io:${name}-approver`, [
    { verbs: ["approve"], apiGroups: [CERTIFICATES], resources: ["signers"], resourceNames: [signer] },
  ]);

const CERTIFICATE_ROLES: KubeObject[] = [
  clusterRole("system:node-bootstrapper", [
    rule(["create", "get", "list", "watch"], [CERTIFICATES], ["certificatesigningrequests"]),
  ]),
  clusterRole("system:certificates.k8s.io:certificatesigningrequests:nodeclient", [
    rule(["create"], [CERTIFICATES], ["certificatesigningrequests/nodeclient"]),
  ]),
  clusterRole("system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", [
    rule(["create"], [CERTIFICATES], ["certificatesigningrequests/selfnodeclient"]),
  ]),
  approver("legacy-unknown", "kubernetes.io/legacy-unknown"),
  approver("kubelet-serving", "kubernetes.io/kubelet-serving"),
  approver("kube-apiserver-client", "kubernetes.io/kube-apiserver-client"),
  approver("kube-apiserver-client-kubelet", "kubernetes.io/kube-apiserver-client-kubelet"),
];

export const BOOTSTRAP_CLUSTER_ROLES: KubeObject[] = [
  clusterRole("cluster-admin", [rule(["*"], ["*"], ["*"]), urls(["*"], ["*"])]),
  clusterRole("system:discovery", [
    urls(
      ["get"],
      [
        "/api",
        "/api/*",
        "/apis",
        "/apis/*",
        "/healthz",
        "/livez",
        "/openapi",
        "/openapi/*",
        "/readyz",
        "/version",
        "/version/",
      ],
    ),
  ]),
  clusterRole("system:basic-user", [
    rule(["create"], [AUTHZ], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
    rule(["create"], [AUTHN], ["selfsubjectreviews"]),
  ]),
  clusterRole("system:public-info-viewer", [
    urls(["get"], ["/healthz", "/livez", "/readyz", "/version", "/version/"]),
  ]),
  clusterRole("system:service-account-issuer-discovery", [
    urls(
      ["get"],
      [
        "/.well-known/openid-configuration",
        "/.well-known/openid-configuration/",
        "/openid/v1/jwks",
        "/openid/v1/jwks/",
      ],
    ),
  ]),
  clusterRole("system:auth-delegator", [
    rule(["create"], [AUTHN], ["tokenreviews"]),
    rule(["create"], [AUTHZ], ["subjectaccessreviews"]),
  ]),
  aggregated("admin", "admin"),
  aggregated("edit", "edit", aggregateLabel("admin")),
  aggregated("view", "view", aggregateLabel("edit")),
  clusterRole("system:aggregate-to-admin", AGGREGATE_TO_ADMIN, aggregateLabel("admin")),
  clusterRole("system:aggregate-to-edit", AGGREGATE_TO_EDIT, aggregateLabel("edit")),
  clusterRole("system:aggregate-to-view", AGGREGATE_TO_VIEW, aggregateLabel("view")),
  // Not upstream's bootstrap: metrics-server's manifest adds it, so that view, edit and admin
  // may read the metrics.k8s.io API the stand-in serves (kubectl top).
  clusterRole(
    "system:aggregated-metrics-reader",
    [rule(["get", "list", "watch"], ["metrics.k8s.io"], ["pods", "nodes"])],
    {
      ...aggregateLabel("view"),
      ...aggregateLabel("edit"),
      ...aggregateLabel("admin"),
    },
  ),
  ...CERTIFICATE_ROLES,
];

function groups(...names: string[]): Subject[] {
  return names.map((name) => ({ kind: "Group", apiGroup: RBAC_GROUP, name }));
}

function binding(role: string, subjects: Subject[]): KubeObject {
  return {
    kind: "ClusterRoleBinding",
    metadata: {
      name: role,
      labels: { "kubernetes.io/bootstrapping": "rbac-defaults" },
      annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
    },
    roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: role },
    subjects,
  };
}

export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS: KubeObject[] = [
  binding("cluster-admin", groups("system:masters")),
  binding("system:discovery", groups("system:authenticated")),
  binding("system:basic-user", groups("system:authenticated")),
  binding("system:public-info-viewer", groups("system:authenticated", "system:unauthenticated")),
  binding("system:service-account-issuer-discovery", groups("system:serviceaccounts")),
];
