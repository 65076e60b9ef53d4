/**
 * What every stand-in starts with (the namespaces, node and RBAC defaults a fresh cluster
 * has) and the demo data `seedDemo` adds: a few team namespaces with pods that have logs,
 * a config map and secrets (fake values) to be refused to viewers.
 */
import { NODE_NAME } from "./behaviours/pods.ts";
import type { PodLogs } from "./pod-logs.ts";
import { BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES } from "./rbac/bootstrap.ts";
import type { ObjectStore } from "./store.ts";

export function seedDefaults(store: ObjectStore): void {
  for (const name of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
    store.create({ kind: "Namespace", metadata: { name } });
  }
  store.create({
    kind: "Node",
    metadata: {
      name: NODE_NAME,
      labels: { "kubernetes.io/hostname": NODE_NAME, "kubernetes.io/os": "linux" },
    },
    status: {
      // What `kubectl top nodes` divides usage by.
      capacity: { cpu: "4", memory: "16393220Ki", pods: "110" },
      allocatable: { cpu: "4", memory: "16290820Ki", pods: "110" },
      conditions: [{ type: "Ready", status: "True" }],
      nodeInfo: { kubeletVersion: "v1.32.0" },
    },
  });
  for (const role of BOOTSTRAP_CLUSTER_ROLES) store.create(role);
  for (const binding of BOOTSTRAP_CLUSTER_ROLE_BINDINGS) store.create(binding);
}

interface DemoPod {
  namespace: string;
  name: string;
  app: string;
  image: string;
  lines: string[];
}

const DEMO_PODS: DemoPod[] = [
  {
    namespace: "default",
    name: "hello",
    app: "hello",
    image: "busybox:1.36",
    lines: ["hello from the stand-in"],
  },
  {
    namespace: "team-a",
    name: "web-1",
    app: "web",
    image: "nginx:1.27",
    lines: ["GET / 200", "GET /healthz 200", "GET /api/orders 200"],
  },
  {
    namespace: "team-a",
    name: "web-2",
    app: "web",
    image: "nginx:1.27",
    lines: ["GET / 200", "GET /healthz 200"],
  },
  {
    namespace: "team-a",
    name: "worker-1",
    app: "worker",
    image: "busybox:1.36",
    lines: ["job 1 done", "job 2 done"],
  },
  { namespace: "team-b", name: "api-1", app: "api", image: "nginx:1.27", lines: ["listening on :8080"] },
  {
    namespace: "payments",
    name: "ledger-0",
    app: "ledger",
    image: "postgres:16",
    lines: ["database system is ready to accept connections"],
  },
];

export const DEMO_NAMESPACES = ["team-a", "team-b", "payments"];

export function seedDemoData(store: ObjectStore, logs: PodLogs): void {
  for (const name of DEMO_NAMESPACES) {
    if (!store.find("namespaces", { name })) store.create({ kind: "Namespace", metadata: { name } });
  }
  for (const pod of DEMO_PODS) {
    if (store.find("pods", pod)) continue;
    store.create({
      kind: "Pod",
      metadata: { name: pod.name, namespace: pod.namespace, labels: { app: pod.app } },
      spec: { containers: [{ name: pod.app, image: pod.image }] },
    });
    for (const line of pod.lines) logs.append(pod.namespace, pod.name, line);
  }
  const extras = [
    { kind: "ConfigMap", metadata: { name: "app-config", namespace: "team-a" }, data: { LOG_LEVEL: "info" } },
    {
      kind: "Secret",
      metadata: { name: "db-credentials", namespace: "team-a" },
      stringData: { username: "app", password: "not-a-real-password" },
    },
    {
      kind: "Secret",
      metadata: { name: "api-key", namespace: "payments" },
      stringData: { key: "demo-only" },
    },
  ];
  for (const object of extras) {
    if (!store.find(object.kind, object.metadata)) store.create(object);
  }
}

export function demoPods(): { namespace: string; name: string }[] {
  return DEMO_PODS.map(({ namespace, name }) => ({ namespace, name }));
}
