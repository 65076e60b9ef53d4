import type { KubeConfig } from "@kubernetes/client-node";
import type { ObjectRef } from "../grants/index.ts";
import { BrokerError } from "../shared/errors.ts";
import { kubeRequest } from "./kube-request.ts";

/**
 * DELETE of any object by its API coordinates, with the broker's own credentials: what a
 * grant created may be of any kind, and client-node's generic API wants a kind, where the
 * audit record has the resource. An object already gone is not an error.
 */
export async function deleteObject(kubeConfig: KubeConfig, object: ObjectRef): Promise<void> {
  const base = object.apiGroup
    ? `/apis/${object.apiGroup}/${object.apiVersion}`
    : `/api/${object.apiVersion}`;
  const where = object.namespace ? `/namespaces/${encodeURIComponent(object.namespace)}` : "";
  const path = `${base}${where}/${object.resource}/${encodeURIComponent(object.name)}`;
  const { status } = await kubeRequest(kubeConfig, "DELETE", path);
  if (status === 404 || (status >= 200 && status < 300)) return;
  throw new BrokerError(
    status >= 500 ? 502 : status,
    "InternalError",
    `the cluster answered DELETE ${path} with ${status}`,
    {
      expose: true,
    },
  );
}
