/**
 * Pods: there is no scheduler or kubelet, so a pod is Running and Ready on the stand-in's one
 * node the moment it is created (what `kubectl exec` and `logs` need to proceed).
 */
import { type KubeObject, timestamp } from "../objects.ts";
import { type FieldError, fieldRequired } from "../status.ts";
import type { KindBehaviour } from "../store.ts";

export const NODE_NAME = "stand-in-node";

export interface Container {
  name?: string;
  image?: string;
  /** Whether the main process has a stdin and a terminal (what `kubectl attach -it` needs). */
  stdin?: boolean;
  tty?: boolean;
}

export function containersOf(pod: KubeObject): Container[] {
  return ((pod.spec as { containers?: Container[] } | undefined)?.containers ?? []).filter(Boolean);
}

let nextIp = 10;

export const pods: KindBehaviour = {
  prepareForCreate(pod) {
    const spec = (pod.spec ?? {}) as Record<string, unknown>;
    spec.serviceAccountName ??= "default";
    spec.serviceAccount = spec.serviceAccountName;
    spec.nodeName ??= NODE_NAME;
    spec.restartPolicy ??= "Always";
    spec.terminationGracePeriodSeconds ??= 30;
    pod.spec = spec;
    const started = timestamp();
    pod.status = {
      phase: "Running",
      conditions: ["Initialized", "Ready", "ContainersReady", "PodScheduled"].map((type) => ({
        type,
        status: "True",
        lastTransitionTime: started,
      })),
      hostIP: "10.0.0.1",
      podIP: `10.244.0.${nextIp++ % 250}`,
      startTime: started,
      containerStatuses: containersOf(pod).map((c) => ({
        name: c.name,
        image: c.image,
        imageID: "",
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: started } },
      })),
    };
  },
  prepareForUpdate(pod, old) {
    pod.status = old.status;
  },
  validate(pod) {
    const containers = containersOf(pod);
    if (containers.length === 0) return [fieldRequired("spec.containers")];
    const errors: FieldError[] = [];
    containers.forEach((c, i) => {
      if (!c.name) errors.push(fieldRequired(`spec.containers[${i}].name`));
      if (!c.image) errors.push(fieldRequired(`spec.containers[${i}].image`));
    });
    return errors;
  },
};
