import type { ObjectRef } from "../grants/index.ts";
import type { KubeConnection } from "./kube-connection.ts";
import { KubeApiError } from "./kube-errors.ts";
import { kubeRequest } from "./kube-request.ts";

/**
 * DELETE of any object by its API coordinates, with the broker's own credentials: what a
 * grant created may be of any kind, named as the audit record names it (by its resource). An
 * object already gone is not an error; a refusal throws the cluster's answer (KubeApiError).
 */
export async function deleteObject(connection: KubeConnection, object: ObjectRef): Promise<void> {
  const base = object.apiGroup
    ? `/apis/${object.apiGroup}/${object.apiVersion}`
    : `/api/${object.apiVersion}`;
  const where = object.namespace ? `/namespaces/${encodeURIComponent(object.namespace)}` : "";
  const path = `${base}${where}/${object.resource}/${encodeURIComponent(object.name)}`;
  const answer = await kubeRequest(connection, "DELETE", path);
  if (answer.status === 404 || (answer.status >= 200 && answer.status < 300)) return;
  throw new KubeApiError(answer.status, answer.body);
}
