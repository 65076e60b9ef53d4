/**
 * metrics.k8s.io/v1beta1 as metrics-server serves it (k8s.io/metrics `pkg/apis/metrics/v1beta1`,
 * what `kubectl top` reads): PodMetrics per running pod with one usage per container, and
 * NodeMetrics per node, for get and list (label selectors honoured). There is no kubelet to
 * scrape, so the figures are made up but stable: derived from each name, so a test can rely on
 * them, in metrics-server's units (CPU in nanocores, memory in Ki).
 */
import { createHash } from "node:crypto";
import { containersOf } from "../behaviours/pods.ts";
import type { ResourceContext } from "../context.ts";
import { sendJson } from "../http-io.ts";
import type { KubeObject } from "../objects.ts";
import { parseLabelSelector } from "../selectors.ts";
import { methodNotAllowed, notFound } from "../status.ts";

const API_VERSION = "metrics.k8s.io/v1beta1";
/** metrics-server's default resolution, which it reports as each sample's window. */
const WINDOW = "15s";

/** A stable number in [min, max] for `key`. */
function figure(key: string, min: number, max: number): number {
  return min + (createHash("sha256").update(key).digest().readUInt32BE(0) % (max - min + 1));
}

/** CPU 1–50 millicores and memory 8–200 MiB per container, as nanocores and Ki. */
export function containerUsage(key: string): { cpu: string; memory: string } {
  return {
    cpu: `${figure(`cpu:${key}`, 1, 50) * 1_000_000}n`,
    memory: `${figure(`mem:${key}`, 8, 200) * 1024}Ki`,
  };
}

function metricsMeta(object: KubeObject): Record<string, unknown> {
  const { name, namespace, labels } = object.metadata;
  const meta: Record<string, unknown> = { name, creationTimestamp: new Date().toISOString() };
  if (namespace) meta.namespace = namespace;
  if (labels && Object.keys(labels).length) meta.labels = labels;
  return meta;
}

function podMetrics(pod: KubeObject): KubeObject {
  const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
  return {
    kind: "PodMetrics",
    apiVersion: API_VERSION,
    metadata: metricsMeta(pod),
    timestamp: new Date().toISOString(),
    window: WINDOW,
    containers: containersOf(pod).map((c) => ({ name: c.name, usage: containerUsage(`${key}/${c.name}`) })),
  } as KubeObject;
}

/** A node's usage: its pods' plus what the system daemons take. */
function nodeMetrics(node: KubeObject, pods: KubeObject[]): KubeObject {
  const name = node.metadata.name ?? "";
  let cpu = figure(`cpu:${name}`, 50, 150) * 1_000_000;
  let memoryKi = figure(`mem:${name}`, 400, 900) * 1024;
  for (const pod of pods.filter((p) => (p.spec as { nodeName?: string }).nodeName === name)) {
    for (const c of podMetrics(pod).containers as { usage: { cpu: string; memory: string } }[]) {
      cpu += Number.parseInt(c.usage.cpu, 10);
      memoryKi += Number.parseInt(c.usage.memory, 10);
    }
  }
  return {
    kind: "NodeMetrics",
    apiVersion: API_VERSION,
    metadata: metricsMeta(node),
    timestamp: new Date().toISOString(),
    window: WINDOW,
    usage: { cpu: `${cpu}n`, memory: `${memoryKi}Ki` },
  } as KubeObject;
}

function metricsOf(ctx: ResourceContext): KubeObject[] {
  const { store } = ctx.core;
  const namespace = ctx.info.namespace || undefined;
  if (ctx.kind.resource === "pods") {
    // metrics-server reports only pods whose containers run.
    const running = store
      .list("pods", namespace)
      .filter((p) => (p.status as { phase?: string })?.phase === "Running");
    return running.map(podMetrics);
  }
  const pods = store.list("pods");
  return store.list("nodes").map((node) => nodeMetrics(node, pods));
}

export function serveMetrics(ctx: ResourceContext): void {
  const { info, kind } = ctx;
  if (info.verb !== "get" && info.verb !== "list") throw methodNotAllowed();
  const all = metricsOf(ctx);
  if (info.verb === "get") {
    const found = all.find((m) => m.metadata.name === info.name);
    if (!found) throw notFound(kind.resource, kind.group, info.name);
    sendJson(ctx.res, 200, found);
    return;
  }
  const labels = parseLabelSelector(ctx.url.searchParams.get("labelSelector"));
  const items = all.filter(
    (m) => (!info.name || m.metadata.name === info.name) && labels(m.metadata.labels ?? {}),
  );
  sendJson(ctx.res, 200, {
    kind: `${kind.kind}List`,
    apiVersion: API_VERSION,
    metadata: {},
    items: items.map(({ kind: _k, apiVersion: _v, ...rest }) => rest),
  });
}
