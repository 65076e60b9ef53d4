/**
 * The generic verbs on stored kinds: create, get, list, update, patch, delete and
 * deletecollection, answering like the real registry (201 on create, the deleted object for
 * pods and namespaces and a Success Status for the rest, Table when kubectl asks to print).
 * Writes go through the field manager (managedFields) and the kind's admission, as there.
 */

import type { ResourceContext } from "../context.ts";
import { readObject, sendJson } from "../http-io.ts";
import { apiVersionOf } from "../kinds.ts";
import { recordUpdate } from "../managed-fields/field-manager.ts";
import { isPlainObject, type KubeObject, timestamp } from "../objects.ts";
import { checkBindingWrite, checkRoleWrite, type EscalationCheck } from "../rbac/escalation.ts";
import type { RoleRef } from "../rbac/types.ts";
import { methodNotAllowed, successStatus } from "../status.ts";
import type { WriteOptions } from "../store.ts";
import { admissionFor } from "./admission.ts";
import { isDryRun, readKubeObject } from "./body.ts";
import { listObjects, sendList } from "./list.ts";
import { serveWatch } from "./watch.ts";
import { patchedObject, sendObject, writeManager } from "./writes.ts";

/** RBAC writes must not grant more than the writer holds (see rbac/escalation.ts). */
function guardRbacWrite(ctx: ResourceContext, object: KubeObject): void {
  const check: EscalationCheck = {
    authorizer: ctx.core.authorizer,
    user: ctx.user,
    namespace: ctx.info.namespace,
    resource: ctx.kind.resource,
    name: object.metadata.name ?? "",
  };
  if (ctx.kind.resource === "roles" || ctx.kind.resource === "clusterroles") {
    checkRoleWrite(check, object, ctx.info.name);
  } else if (ctx.kind.resource === "rolebindings" || ctx.kind.resource === "clusterrolebindings") {
    checkBindingWrite(check, (object.roleRef ?? {}) as RoleRef);
  }
}

function writeOptions(ctx: ResourceContext): WriteOptions {
  return { dryRun: isDryRun(ctx.url), user: ctx.user, admit: admissionFor(ctx) };
}

async function create(ctx: ResourceContext): Promise<void> {
  const object = await readKubeObject(ctx);
  ctx.core.store.applyDefaults(object);
  const write = writeManager(ctx, "CreateOptions");
  guardRbacWrite(ctx, object);
  const managed = recordUpdate(write, undefined, object);
  sendObject(ctx, 201, ctx.core.store.create(managed, writeOptions(ctx)));
}

function get(ctx: ResourceContext): void {
  sendObject(ctx, 200, ctx.core.store.get(ctx.kind.resource, ctx.info));
}

async function update(ctx: ResourceContext): Promise<void> {
  const object = await readKubeObject(ctx);
  ctx.core.store.applyDefaults(object);
  const write = writeManager(ctx, "UpdateOptions");
  guardRbacWrite(ctx, object);
  const live = ctx.core.store.find(ctx.kind.resource, ctx.info);
  const managed = recordUpdate(write, live, object);
  // A PUT that creates (RBAC kinds allow it) answers 201, as the registry does.
  sendObject(ctx, live ? 200 : 201, ctx.core.store.update(managed, writeOptions(ctx)));
}

async function patch(ctx: ResourceContext): Promise<void> {
  const { store } = ctx.core;
  const current = store.find(ctx.kind.resource, ctx.info);
  const object = await patchedObject(ctx, current);
  guardRbacWrite(ctx, object);
  const saved = current ? store.update(object, writeOptions(ctx)) : store.create(object, writeOptions(ctx));
  sendObject(ctx, current ? 200 : 201, saved);
}

/** What DELETE answers: graceful kinds return the object being removed, the rest a Status. */
function deletedResponse(ctx: ResourceContext, object: KubeObject): unknown {
  if (ctx.kind.resource === "pods") {
    object.metadata.deletionTimestamp = timestamp();
    object.metadata.deletionGracePeriodSeconds = 30;
    return object;
  }
  if (ctx.kind.resource === "namespaces") {
    object.metadata.deletionTimestamp = timestamp();
    object.status = { phase: "Terminating" };
    return object;
  }
  return successStatus({
    name: object.metadata.name,
    group: ctx.kind.group,
    kind: ctx.kind.resource,
    uid: object.metadata.uid,
  });
}

async function deleteOptions(
  ctx: ResourceContext,
): Promise<{ preconditions?: { uid?: string; resourceVersion?: string } }> {
  const hasBody = Number(ctx.req.headers["content-length"] ?? 0) > 0 || ctx.req.headers["transfer-encoding"];
  const body = hasBody ? await readObject(ctx.req) : {};
  return isPlainObject(body) ? (body as { preconditions?: { uid?: string; resourceVersion?: string } }) : {};
}

async function remove(ctx: ResourceContext): Promise<void> {
  const options = await deleteOptions(ctx);
  const deleted = ctx.core.store.delete(ctx.kind.resource, ctx.info, {
    preconditions: options.preconditions,
    dryRun: isDryRun(ctx.url),
  });
  sendJson(ctx.res, 200, deletedResponse(ctx, deleted));
}

async function removeCollection(ctx: ResourceContext): Promise<void> {
  await deleteOptions(ctx);
  const dryRun = isDryRun(ctx.url);
  const items = listObjects(ctx).items.map((o) =>
    ctx.core.store.delete(
      ctx.kind.resource,
      { namespace: o.metadata.namespace, name: o.metadata.name! },
      { dryRun },
    ),
  );
  sendJson(ctx.res, 200, {
    kind: `${ctx.kind.kind}List`,
    apiVersion: apiVersionOf(ctx.kind),
    metadata: { resourceVersion: String(ctx.core.store.revision) },
    items,
  });
}

const VERBS: Record<string, (ctx: ResourceContext) => void | Promise<void>> = {
  create,
  get,
  list: sendList,
  watch: serveWatch,
  update,
  patch,
  delete: remove,
  deletecollection: removeCollection,
};

export async function serveStoredKind(ctx: ResourceContext): Promise<void> {
  const { verb, name } = ctx.info;
  const handler = VERBS[verb];
  if (!handler) throw methodNotAllowed();
  // POST goes to a collection; PUT and PATCH to one object.
  if ((verb === "create" && name) || ((verb === "update" || verb === "patch") && !name))
    throw methodNotAllowed();
  await handler(ctx);
}
