import { subjectKey } from "./effective-rules.ts";
import type { Binding, Subject } from "./rbac-reader.ts";

/**
 * The bindings a fresh kubeadm-style cluster has, which the report leaves out (and lists as
 * left out): the API server's bootstrap policy
 * (kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy, policy.go and
 * controller_policy.go, and namespace_policy.go for kube-system and kube-public) and what
 * kubeadm adds (cmd/kubeadm/app/phases/bootstraptoken/clusterinfo and /node, addons/proxy,
 * kubeconfig's kubeadm:cluster-admins). A binding is a default only when its name, its role
 * and every one of its subjects are the default ones: a subject someone added to a default
 * binding (a person added to cluster-admin) makes it a finding like any other. Labels are not
 * trusted for this, since anyone who can write a binding can write its labels.
 *
 * kube-broker's own permissions (deploy/base/rbac.yaml, checked by its own test) are left out
 * the same way: bindings labelled app.kubernetes.io/part-of=kube-broker whose only subject is a
 * ServiceAccount named kube-broker. They are listed as left out, so a change to them shows.
 */
interface DefaultBinding {
  kind: Binding["kind"];
  namespace?: string;
  name: string;
  role: string;
  subjects: string[];
}

const group = (name: string) => subjectKey({ kind: "Group", name });
const user = (name: string) => subjectKey({ kind: "User", name });
const account = (namespace: string, name: string) => subjectKey({ kind: "ServiceAccount", namespace, name });
const BOOTSTRAP_TOKENS = group("system:bootstrappers:kubeadm:default-node-token");

const cluster = (name: string, subjects: string[], role = name): DefaultBinding => ({
  kind: "ClusterRoleBinding",
  name,
  role,
  subjects,
});
const namespaced = (namespace: string, name: string, subjects: string[], role = name): DefaultBinding => ({
  kind: "RoleBinding",
  namespace,
  name,
  role,
  subjects,
});

export const DEFAULT_BINDINGS: DefaultBinding[] = [
  // The API server's bootstrap ClusterRoleBindings.
  cluster("cluster-admin", [group("system:masters")]),
  cluster("system:monitoring", [group("system:monitoring")]),
  cluster("system:discovery", [group("system:authenticated")]),
  cluster("system:basic-user", [group("system:authenticated")]),
  cluster("system:public-info-viewer", [group("system:authenticated"), group("system:unauthenticated")]),
  cluster("system:node-proxier", [user("system:kube-proxy")]),
  cluster("system:kube-controller-manager", [user("system:kube-controller-manager")]),
  cluster("system:kube-dns", [account("kube-system", "kube-dns")]),
  cluster("system:kube-scheduler", [user("system:kube-scheduler")]),
  cluster("system:volume-scheduler", [user("system:kube-scheduler")]),
  cluster("system:node", []),
  cluster("system:service-account-issuer-discovery", [group("system:serviceaccounts")]),
  // Its bootstrap RoleBindings in kube-system and kube-public.
  namespaced(
    "kube-system",
    "system::extension-apiserver-authentication-reader",
    [user("system:kube-controller-manager"), user("system:kube-scheduler")],
    "extension-apiserver-authentication-reader",
  ),
  namespaced("kube-system", "system::leader-locking-kube-controller-manager", [
    user("system:kube-controller-manager"),
    account("kube-system", "kube-controller-manager"),
  ]),
  namespaced("kube-system", "system::leader-locking-kube-scheduler", [
    user("system:kube-scheduler"),
    account("kube-system", "kube-scheduler"),
  ]),
  namespaced("kube-system", "system:controller:bootstrap-signer", [
    account("kube-system", "bootstrap-signer"),
  ]),
  namespaced("kube-system", "system:controller:cloud-provider", [account("kube-system", "cloud-provider")]),
  namespaced("kube-system", "system:controller:token-cleaner", [account("kube-system", "token-cleaner")]),
  namespaced("kube-public", "system:controller:bootstrap-signer", [
    account("kube-system", "bootstrap-signer"),
  ]),
  // kubeadm's.
  cluster("kubeadm:cluster-admins", [group("kubeadm:cluster-admins")], "cluster-admin"),
  cluster("kubeadm:get-nodes", [BOOTSTRAP_TOKENS]),
  cluster("kubeadm:kubelet-bootstrap", [BOOTSTRAP_TOKENS], "system:node-bootstrapper"),
  cluster(
    "kubeadm:node-autoapprove-bootstrap",
    [BOOTSTRAP_TOKENS],
    "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
  ),
  cluster(
    "kubeadm:node-autoapprove-certificate-rotation",
    [group("system:nodes")],
    "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
  ),
  cluster("kubeadm:node-proxier", [account("kube-system", "kube-proxy")], "system:node-proxier"),
  namespaced("kube-system", "kubeadm:kubelet-config", [group("system:nodes"), BOOTSTRAP_TOKENS]),
  namespaced("kube-system", "kubeadm:nodes-kubeadm-config", [BOOTSTRAP_TOKENS, group("system:nodes")]),
  namespaced("kube-system", "kube-proxy", [BOOTSTRAP_TOKENS]),
  // The one default that lets anonymous users read something: the cluster-info ConfigMap that
  // joining nodes read before they have credentials.
  namespaced("kube-public", "kubeadm:bootstrap-signer-clusterinfo", [user("system:anonymous")]),
];

/** Why a binding is left out of the report, or undefined when it is not. */
export function defaultBinding(binding: Binding): string | undefined {
  if (isKubeBrokerOwn(binding)) return "kube-broker's own permissions (deploy/)";
  const subjects = binding.subjects.map(subjectKey);
  const known =
    DEFAULT_BINDINGS.find(
      (d) =>
        d.kind === binding.kind &&
        d.name === binding.metadata.name &&
        (d.namespace ?? "") === (binding.metadata.namespace ?? "") &&
        d.role === binding.roleRef.name &&
        subjects.every((s) => d.subjects.includes(s)),
    ) ?? controllerBinding(binding);
  if (!known) return undefined;
  return binding.metadata.name.startsWith("kubeadm:") || binding.metadata.name === "kube-proxy"
    ? "a default of kubeadm"
    : "a default of the API server's bootstrap policy";
}

/** system:controller:<name> bound to the kube-system ServiceAccount <name>: the controller roles. */
function controllerBinding(binding: Binding): boolean {
  const match = /^system:controller:(.+)$/.exec(binding.metadata.name);
  if (!match || binding.kind !== "ClusterRoleBinding" || binding.roleRef.name !== binding.metadata.name)
    return false;
  return binding.subjects.every((s: Subject) => subjectKey(s) === account("kube-system", match[1]!));
}

function isKubeBrokerOwn(binding: Binding): boolean {
  return (
    binding.metadata.labels?.["app.kubernetes.io/part-of"] === "kube-broker" &&
    binding.subjects.length > 0 &&
    binding.subjects.every((s) => s.kind === "ServiceAccount" && s.name === "kube-broker")
  );
}
