/**
 * Authentication with the token controller's Secret-based tokens, as the legacy validator does
 * (pkg/serviceaccount/legacy.go, 1.32): the token counts for the API server's own audiences,
 * its Secret must still exist (not being deleted) and hold exactly this token, the
 * ServiceAccount must exist with the UID in the token, and a Secret labelled
 * `kubernetes.io/legacy-token-invalid-since` is refused. Every use stamps the Secret with
 * `kubernetes.io/legacy-token-last-used` (today, UTC), written by "kube-apiserver". Such a token
 * never expires: it lasts as long as its Secret.
 */
import { type AuthenticatorOptions, goList, type TokenResult } from "./authn.ts";
import { kindByName } from "./kinds.ts";
import { recordUpdate } from "./managed-fields/field-manager.ts";
import type { KubeObject } from "./objects.ts";
import type { UserInfo } from "./rbac/types.ts";

export const LAST_USED_LABEL = "kubernetes.io/legacy-token-last-used";
export const INVALID_SINCE_LABEL = "kubernetes.io/legacy-token-invalid-since";

const day = (date: Date) => date.toISOString().slice(0, 10);

/** patchSecretWithLastUsedDate: at most one write a day. */
function stampLastUsed(options: AuthenticatorOptions, secret: KubeObject): void {
  const now = new Date();
  const today = day(now);
  const tomorrow = day(new Date(now.getTime() + 24 * 3600 * 1000));
  const lastUsed = secret.metadata.labels?.[LAST_USED_LABEL];
  if (lastUsed === today || lastUsed === tomorrow) return;
  const next: KubeObject = {
    ...secret,
    metadata: { ...secret.metadata, labels: { ...secret.metadata.labels, [LAST_USED_LABEL]: today } },
  };
  const write = { kind: kindByName("secrets"), subresource: "", manager: "kube-apiserver" };
  options.store.update(recordUpdate(write, secret, next));
}

function failure(error: string): TokenResult {
  return { audiences: [], error };
}

export async function checkLegacyToken(
  options: AuthenticatorOptions,
  token: string,
  wanted: string[],
): Promise<TokenResult> {
  const claims = await options.issuer.verifyLegacy(token);
  if (!claims) return failure("invalid bearer token");
  // Legacy tokens carry no audience: they count for the API server's own.
  const audiences = options.apiAudiences.filter((a) => wanted.includes(a));
  if (audiences.length === 0) {
    return failure(
      `token audiences ${goList(options.apiAudiences)} is invalid for the target audiences ${goList(wanted)}`,
    );
  }
  const namespace = claims["kubernetes.io/serviceaccount/namespace"];
  const secretName = claims["kubernetes.io/serviceaccount/secret.name"];
  const name = claims["kubernetes.io/serviceaccount/service-account.name"];
  const uid = claims["kubernetes.io/serviceaccount/service-account.uid"];
  if (!claims.sub) return failure("sub claim is missing");
  if (!namespace) return failure("namespace claim is missing");
  if (!secretName) return failure("secretName claim is missing");
  if (!name) return failure("serviceAccountName claim is missing");
  if (!uid) return failure("serviceAccountUID claim is missing");
  if (claims.sub !== `system:serviceaccount:${namespace}:${name}`) return failure("sub claim is invalid");

  const secret = options.store.find("secrets", { namespace, name: secretName });
  if (!secret || secret.metadata.deletionTimestamp) return failure("Token has been invalidated");
  const stored = (secret.data as Record<string, string> | undefined)?.token;
  if (!stored || Buffer.from(stored, "base64").toString() !== token) {
    return failure("Token does not match server's copy");
  }
  const serviceAccount = options.store.find("serviceaccounts", { namespace, name });
  if (!serviceAccount) return failure(`serviceaccounts "${name}" not found`);
  if (serviceAccount.metadata.uid !== uid) {
    return failure(`ServiceAccount UID (${serviceAccount.metadata.uid}) does not match claim (${uid})`);
  }
  stampLastUsed(options, secret);
  if (secret.metadata.labels?.[INVALID_SINCE_LABEL]) {
    return failure(
      `the token in secret ${namespace}/${secretName} for service account ${namespace}/${name} has been marked invalid. Use tokens from the TokenRequest API or manually created secret-based tokens, or remove the '${INVALID_SINCE_LABEL}' label from the secret to temporarily allow use of this token`,
    );
  }
  const user: UserInfo = {
    username: `system:serviceaccount:${namespace}:${name}`,
    uid,
    groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
  };
  return { user, audiences };
}
