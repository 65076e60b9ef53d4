/**
 * Secrets as pkg/registry/core/secret and ValidateSecret{,Update} treat them: `stringData` is
 * write-only and folded into base64 `data`, `type` defaults to Opaque and is immutable, an
 * `immutable: true` Secret keeps its data, and a `kubernetes.io/service-account-token` Secret
 * must name its ServiceAccount (the token controller, controllers/token-controller.ts, fills
 * it in).
 */
import type { KubeObject } from "../objects.ts";
import { sameJson } from "../objects.ts";
import { type FieldError, fieldForbidden, fieldInvalid, fieldRequired } from "../status.ts";
import type { KindBehaviour } from "../store.ts";

export const SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token";
export const SERVICE_ACCOUNT_NAME = "kubernetes.io/service-account.name";
export const SERVICE_ACCOUNT_UID = "kubernetes.io/service-account.uid";

function foldStringData(secret: KubeObject): void {
  const stringData = secret.stringData as Record<string, string> | undefined;
  if (stringData) {
    const data = (secret.data ?? {}) as Record<string, string>;
    for (const [key, value] of Object.entries(stringData)) data[key] = Buffer.from(value).toString("base64");
    secret.data = data;
    delete secret.stringData;
  }
}

/** ValidateSecret's type-specific rule the stand-in needs. */
function typeErrors(secret: KubeObject): FieldError[] {
  if (secret.type === SERVICE_ACCOUNT_TOKEN && !secret.metadata.annotations?.[SERVICE_ACCOUNT_NAME]) {
    return [fieldRequired(`metadata.annotations[${SERVICE_ACCOUNT_NAME}]`)];
  }
  return [];
}

/** ValidateSecretUpdate: the immutable type and the `immutable` flag, before the Secret's own rules. */
function updateErrors(secret: KubeObject, old: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  if (secret.type !== old.type) errors.push(fieldInvalid("type", secret.type, "field is immutable"));
  if (old.immutable === true) {
    if (secret.immutable !== true)
      errors.push(fieldForbidden("immutable", "field is immutable when `immutable` is set"));
    if (!sameJson(secret.data ?? {}, old.data ?? {}))
      errors.push(fieldForbidden("data", "field is immutable when `immutable` is set"));
  }
  return errors;
}

export const secrets: KindBehaviour = {
  /** SetDefaults_Secret. */
  applyDefaults(secret) {
    secret.type ||= "Opaque";
  },
  prepareForCreate: foldStringData,
  prepareForUpdate: foldStringData,
  validate(secret, old) {
    return [...(old ? updateErrors(secret, old) : []), ...typeErrors(secret)];
  },
};
