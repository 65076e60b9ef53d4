/**
 * kube-controller-manager's service-account token controller (pkg/controller/serviceaccount/
 * tokens_controller.go), reacting to store events just after each write, as an informer would:
 * a `kubernetes.io/service-account-token` Secret naming an existing ServiceAccount gets
 * `data["ca.crt"]` (the root CA), `data.namespace` and `data.token` (a legacy token that never
 * expires) where missing, and the ServiceAccount's name and UID annotations; one naming a
 * ServiceAccount that does not exist (or has another UID) is deleted, and deleting a
 * ServiceAccount deletes its token Secrets. Its writes are Updates by "kube-controller-manager".
 */
import { SERVICE_ACCOUNT_NAME, SERVICE_ACCOUNT_TOKEN, SERVICE_ACCOUNT_UID } from "../behaviours/secrets.ts";
import { kindByName } from "../kinds.ts";
import { recordUpdate } from "../managed-fields/field-manager.ts";
import { clone, type KubeObject } from "../objects.ts";
import type { TokenIssuer } from "../sa-tokens.ts";
import type { ObjectStore, StoreEvent } from "../store.ts";

const MANAGER = "kube-controller-manager";

interface Deps {
  store: ObjectStore;
  issuer: TokenIssuer;
  /** PEM of the root CA (--root-ca-file). */
  caCert: string;
}

const b64 = (text: string) => Buffer.from(text).toString("base64");

/** IsServiceAccountToken. */
function tokenOf(secret: KubeObject, serviceAccount: KubeObject): boolean {
  if (secret.type !== SERVICE_ACCOUNT_TOKEN) return false;
  const annotations = secret.metadata.annotations ?? {};
  if (annotations[SERVICE_ACCOUNT_NAME] !== serviceAccount.metadata.name) return false;
  const uid = annotations[SERVICE_ACCOUNT_UID];
  return !uid || uid === serviceAccount.metadata.uid;
}

function deleteQuietly(store: ObjectStore, secret: KubeObject): void {
  const ref = { namespace: secret.metadata.namespace, name: secret.metadata.name! };
  const live = store.find("secrets", ref);
  if (live && live.metadata.uid === secret.metadata.uid) {
    store.delete("secrets", ref, { preconditions: { uid: live.metadata.uid } });
  }
}

/** syncSecret. */
function syncSecret({ store, issuer, caCert }: Deps, ref: { namespace?: string; name: string }): void {
  const secret = store.find("secrets", ref);
  if (!secret || secret.type !== SERVICE_ACCOUNT_TOKEN) return;
  const namespace = secret.metadata.namespace!;
  const annotations = secret.metadata.annotations ?? {};
  const serviceAccount = store.find("serviceaccounts", {
    namespace,
    name: annotations[SERVICE_ACCOUNT_NAME] ?? "",
  });
  const uid = annotations[SERVICE_ACCOUNT_UID];
  if (!serviceAccount || (uid && uid !== serviceAccount.metadata.uid)) {
    deleteQuietly(store, secret);
    return;
  }
  const data = (secret.data ?? {}) as Record<string, string>;
  const needsCA = data["ca.crt"] !== b64(caCert);
  const needsNamespace = !data.namespace;
  const needsToken = !data.token;
  if (!needsCA && !needsNamespace && !needsToken) return;
  const next = clone(secret);
  const nextData = { ...data };
  if (needsCA) nextData["ca.crt"] = b64(caCert);
  if (needsNamespace) nextData.namespace = b64(namespace);
  if (needsToken) {
    const owner = { name: serviceAccount.metadata.name!, uid: serviceAccount.metadata.uid! };
    nextData.token = b64(issuer.issueLegacy(namespace, owner, secret.metadata.name!));
  }
  next.data = nextData;
  next.metadata.annotations = {
    ...annotations,
    [SERVICE_ACCOUNT_NAME]: serviceAccount.metadata.name!,
    [SERVICE_ACCOUNT_UID]: serviceAccount.metadata.uid!,
  };
  const write = { kind: kindByName("secrets"), subresource: "", manager: MANAGER };
  store.update(recordUpdate(write, secret, next));
}

/** syncServiceAccount for a deleted ServiceAccount. */
function deleteTokens({ store }: Deps, serviceAccount: KubeObject): void {
  for (const secret of store.list("secrets", serviceAccount.metadata.namespace)) {
    if (tokenOf(secret, serviceAccount)) deleteQuietly(store, secret);
  }
}

/** Starts the controller; returns its stop function. */
export function startTokenController(deps: Deps): () => void {
  const handle = (event: StoreEvent) => {
    const ref = { namespace: event.object.metadata.namespace, name: event.object.metadata.name! };
    if (event.kind.resource === "secrets" && event.type !== "DELETED") syncSecret(deps, ref);
    else if (event.kind.resource === "serviceaccounts" && event.type === "DELETED")
      deleteTokens(deps, event.object);
  };
  // After the write that caused the event has finished, like a controller watching the API. A
  // write that fails (the object changed or went meanwhile) is dropped: the next event retries.
  return deps.store.subscribe((event) =>
    queueMicrotask(() => {
      try {
        handle(event);
      } catch {
        // As a controller's failed sync, left for the next event.
      }
    }),
  );
}
