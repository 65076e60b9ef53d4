/**
 * Subresources that read and write the object itself (`status`, CertificateSigningRequests'
 * `approval`): GET returns the object; PUT and PATCH (every patch type, apply too) go through
 * the subresource's strategy, which keeps what it may not change, and its admission. The
 * object must exist: a subresource never creates it.
 */
import type { ResourceContext } from "../context.ts";
import { recordUpdate } from "../managed-fields/field-manager.ts";
import type { KubeObject } from "../objects.ts";
import { methodNotAllowed } from "../status.ts";
import { admissionFor } from "./admission.ts";
import { isDryRun, readKubeObject } from "./body.ts";
import { patchedObject, sendObject, writeManager } from "./writes.ts";

export async function serveObjectSubresource(ctx: ResourceContext): Promise<void> {
  const { store } = ctx.core;
  const { kind, info } = ctx;
  const current = store.get(kind.resource, info);
  let object: KubeObject;
  if (info.verb === "get") {
    sendObject(ctx, 200, current);
    return;
  }
  if (info.verb === "update") {
    const body = await readKubeObject(ctx);
    store.applyDefaults(body);
    object = recordUpdate(writeManager(ctx, "UpdateOptions"), current, body);
  } else if (info.verb === "patch") {
    object = await patchedObject(ctx, current);
  } else {
    throw methodNotAllowed();
  }
  const saved = store.update(object, {
    dryRun: isDryRun(ctx.url),
    user: ctx.user,
    subresource: info.subresource,
    admit: admissionFor(ctx),
  });
  sendObject(ctx, 200, saved);
}
