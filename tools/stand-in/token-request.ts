/**
 * TokenRequest (`serviceaccounts/token`), following pkg/registry/core/serviceaccount/storage/token.go:
 * 10 minutes minimum and 2^32 s maximum (422), audiences defaulting to the server's, bound
 * objects of kind Pod, Secret or Node only (400 otherwise, 404 if missing, 409 on a UID
 * mismatch), the --service-account-max-token-expiration cap with its warning, and the
 * 3607-second pod-bound quirk that silently extends the JWT to a year.
 */
import type { Core } from "./context.ts";
import { type KubeObject, timestamp } from "./objects.ts";
import type { BoundObject } from "./sa-tokens.ts";
import { badRequest, conflict, type FieldError, fieldInvalid, invalid } from "./status.ts";

const MIN_SECONDS = 600;
const MAX_SECONDS = 2 ** 32;
/** token.WarnOnlyBoundTokenExpirationSeconds and token.ExpirationExtensionSeconds. */
const LEGACY_PROJECTED_SECONDS = 3607;
const EXTENDED_SECONDS = 365 * 24 * 3600;

export interface BoundObjectRef {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

export interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds?: number;
  boundObjectRef?: BoundObjectRef | null;
}

export interface TokenRequestResult {
  tokenRequest: KubeObject;
  warnings: string[];
}

const ref = (object: KubeObject): BoundObject => ({ name: object.metadata.name!, uid: object.metadata.uid! });

function validate(expirationSeconds: number): FieldError[] {
  const errors: FieldError[] = [];
  if (expirationSeconds < MIN_SECONDS) {
    errors.push(
      fieldInvalid(
        "spec.expirationSeconds",
        expirationSeconds,
        "may not specify a duration less than 10 minutes",
      ),
    );
  }
  if (expirationSeconds > MAX_SECONDS) {
    errors.push(
      fieldInvalid(
        "spec.expirationSeconds",
        expirationSeconds,
        "may not specify a duration larger than 2^32 seconds",
      ),
    );
  }
  return errors;
}

interface Bound {
  pod?: BoundObject;
  secret?: BoundObject;
  node?: BoundObject;
}

function resolveBoundObject(
  core: Core,
  namespace: string,
  serviceAccount: string,
  boundRef: BoundObjectRef,
): Bound {
  const apiVersion = boundRef.apiVersion ?? "";
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0]! : "";
  const version = apiVersion.includes("/") ? apiVersion.split("/")[1]! : apiVersion;
  const name = boundRef.name ?? "";
  const bound: Bound = {};
  let found: KubeObject;
  if (group === "" && boundRef.kind === "Pod") {
    found = core.store.get("pods", { namespace, name });
    const spec = found.spec as { serviceAccountName?: string; nodeName?: string };
    if (spec.serviceAccountName !== serviceAccount) {
      throw badRequest(
        `cannot bind token for serviceaccount "${serviceAccount}" to pod running with different serviceaccount name.`,
      );
    }
    bound.pod = ref(found);
    if (spec.nodeName) {
      const node = core.store.find("nodes", { name: spec.nodeName });
      bound.node = node ? ref(node) : { name: spec.nodeName, uid: "" };
    }
  } else if (group === "" && boundRef.kind === "Node") {
    found = core.store.get("nodes", { name });
    bound.node = ref(found);
  } else if (group === "" && boundRef.kind === "Secret") {
    found = core.store.get("secrets", { namespace, name });
    bound.secret = ref(found);
  } else {
    throw badRequest(`cannot bind token to object of type ${group}/${version}, Kind=${boundRef.kind ?? ""}`);
  }
  if (boundRef.uid && boundRef.uid !== found.metadata.uid) {
    throw conflict(
      boundRef.kind!,
      "",
      name,
      `the UID in the bound object reference (${boundRef.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  }
  return bound;
}

export async function requestToken(
  core: Core,
  namespace: string,
  serviceAccountName: string,
  spec: TokenRequestSpec,
  metadata: { name?: string; namespace?: string } = {},
): Promise<TokenRequestResult> {
  const mismatch = (field: string, value: string, what: string) =>
    invalid("TokenRequest", "authentication.k8s.io", serviceAccountName, [
      fieldInvalid(`metadata.${field}`, value, `must match the service account ${what} if specified`),
    ]);
  if (metadata.name && metadata.name !== serviceAccountName) throw mismatch("name", metadata.name, "name");
  if (metadata.namespace && metadata.namespace !== namespace)
    throw mismatch("namespace", metadata.namespace, "namespace");
  const serviceAccount = core.store.get("serviceaccounts", { namespace, name: serviceAccountName });
  const audiences = spec.audiences?.length ? spec.audiences : core.apiAudiences;
  let expirationSeconds = spec.expirationSeconds ?? 3600;
  const errors = validate(expirationSeconds);
  if (errors.length) throw invalid("TokenRequest", "authentication.k8s.io", "", errors);
  const bound = spec.boundObjectRef
    ? resolveBoundObject(core, namespace, serviceAccountName, spec.boundObjectRef)
    : {};

  const warnings: string[] = [];
  const cap = core.maxTokenExpirationSeconds;
  if (cap && expirationSeconds > cap) {
    warnings.push(`requested expiration of ${expirationSeconds} seconds shortened to ${cap} seconds`);
    expirationSeconds = cap;
  }
  let lifetime = expirationSeconds;
  let warnAfterSeconds: number | undefined;
  const kubeAudiences = audiences.every((a) => core.apiAudiences.includes(a));
  if (bound.pod && expirationSeconds === LEGACY_PROJECTED_SECONDS && kubeAudiences) {
    warnAfterSeconds = expirationSeconds;
    lifetime = EXTENDED_SECONDS;
  }
  const now = new Date();
  const { token } = await core.issuer.issue({
    namespace,
    serviceAccount: ref(serviceAccount),
    audiences,
    expirationSeconds: lifetime,
    warnAfterSeconds,
    now,
    ...bound,
  });
  const expires = new Date(now.getTime() + expirationSeconds * 1000);
  const tokenRequest: KubeObject = {
    kind: "TokenRequest",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { name: serviceAccountName, namespace, creationTimestamp: timestamp(now) },
    spec: { audiences, expirationSeconds, boundObjectRef: spec.boundObjectRef ?? null },
    status: { token, expirationTimestamp: timestamp(expires) },
  };
  return { tokenRequest, warnings };
}
