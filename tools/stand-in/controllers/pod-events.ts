/**
 * The Events a cluster writes about a pod's life, since there is no scheduler or kubelet to write
 * them: on create the scheduler's `Scheduled` (written through events.k8s.io/v1, so it carries
 * `eventTime`, `action` and `reportingController`) and per container the kubelet's `Pulled`,
 * `Created` and `Started` (core v1 recorder: `source`, first/last timestamps, `count`); on delete
 * the kubelet's `Killing`. Messages as in pkg/scheduler/schedule_one.go and
 * pkg/kubelet/kuberuntime (kuberuntime_container.go, kuberuntime_image.go). Written a microtask
 * after the pod change, like the token controller, so a store listener never writes in the middle
 * of another write.
 */
import { containersOf, NODE_NAME } from "../behaviours/pods.ts";
import type { KubeObject } from "../objects.ts";
import type { ObjectStore } from "../store.ts";

let sequence = 0;

/** `<object>.<hex>`, the recorder's naming (the hex is a nanosecond timestamp). */
function eventName(object: string): string {
  const nanos = BigInt(Date.now()) * 1_000_000n + BigInt(sequence++ % 1_000_000);
  return `${object}.${nanos.toString(16)}`;
}

function involved(pod: KubeObject, container?: string): Record<string, unknown> {
  const ref: Record<string, unknown> = {
    kind: "Pod",
    namespace: pod.metadata.namespace,
    name: pod.metadata.name,
    uid: pod.metadata.uid,
    apiVersion: "v1",
    resourceVersion: pod.metadata.resourceVersion,
  };
  if (container) ref.fieldPath = `spec.containers{${container}}`;
  return ref;
}

function schedulerEvent(pod: KubeObject): KubeObject {
  const now = new Date().toISOString().replace("Z", "000Z");
  return {
    kind: "Event",
    metadata: { name: eventName(pod.metadata.name!), namespace: pod.metadata.namespace },
    involvedObject: involved(pod),
    reason: "Scheduled",
    message: `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${NODE_NAME}`,
    type: "Normal",
    eventTime: now,
    action: "Binding",
    reportingComponent: "default-scheduler",
    reportingInstance: `default-scheduler-${NODE_NAME}`,
  };
}

function kubeletEvent(pod: KubeObject, container: string, reason: string, message: string): KubeObject {
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  return {
    kind: "Event",
    metadata: { name: eventName(pod.metadata.name!), namespace: pod.metadata.namespace },
    involvedObject: involved(pod, container),
    reason,
    message,
    source: { component: "kubelet", host: NODE_NAME },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
    type: "Normal",
    reportingComponent: "kubelet",
    reportingInstance: NODE_NAME,
  };
}

function startEvents(pod: KubeObject): KubeObject[] {
  return [
    schedulerEvent(pod),
    ...containersOf(pod).flatMap((c) => [
      kubeletEvent(pod, c.name!, "Pulled", `Container image "${c.image}" already present on machine`),
      kubeletEvent(pod, c.name!, "Created", `Created container ${c.name}`),
      kubeletEvent(pod, c.name!, "Started", `Started container ${c.name}`),
    ]),
  ];
}

const stopEvents = (pod: KubeObject) =>
  containersOf(pod).map((c) => kubeletEvent(pod, c.name!, "Killing", `Stopping container ${c.name}`));

/** Records events for every pod created or deleted from now on; returns the stop function. */
export function startPodEvents(store: ObjectStore): () => void {
  return store.subscribe((change) => {
    if (change.kind.resource !== "pods" || change.kind.group !== "" || change.type === "MODIFIED") return;
    const events = change.type === "ADDED" ? startEvents(change.object) : stopEvents(change.object);
    queueMicrotask(() => {
      for (const event of events) {
        // The namespace may be going away with the pod: its events go with it.
        if (store.find("namespaces", { name: event.metadata.namespace ?? "" })) store.create(event);
      }
    });
  });
}
