/**
 * What create, update and patch share, on an object or one of its subresources: the field
 * manager a write is recorded under (`fieldManager`, else the User-Agent's first word, as
 * managerOrUserAgent), the object a PATCH makes (a JSON, merge or strategic merge patch of the
 * live object, or a server-side apply), and the answer (the object, or a Table for kubectl).
 */
import type { ResourceContext } from "../context.ts";
import { readBody, sendJson, wantsTable } from "../http-io.ts";
import { apiVersionOf } from "../kinds.ts";
import { applyConfiguration, type ManagedWrite, recordUpdate } from "../managed-fields/field-manager.ts";
import { metadataObject, wantsMetadata } from "../metadata-only.ts";
import { clone, isPlainObject, type KubeObject } from "../objects.ts";
import { applyPatch, fieldManagerErrors, parsePatchBody, patchOptions, patchTypeOf } from "../patch.ts";
import { kindSchema } from "../schema/kind-schemas.ts";
import { badRequest, conflict, invalid, notFound, qualified } from "../status.ts";
import { includeObjectParam, toTable } from "../table.ts";
import { bodyFor } from "./body.ts";

export function sendObject(ctx: ResourceContext, code: number, object: KubeObject): void {
  const metadataOnly = wantsMetadata(ctx.req);
  const body = metadataOnly
    ? metadataObject(metadataOnly, object)
    : wantsTable(ctx.req)
      ? toTable(
          ctx.kind,
          [object],
          { resourceVersion: object.metadata.resourceVersion },
          includeObjectParam(ctx.url),
        )
      : object;
  sendJson(ctx.res, code, body);
}

/** prefixFromUserAgent: "kubectl/v1.32.4 (linux/amd64) …" → "kubectl". */
function userAgentManager(ctx: ResourceContext): string {
  const prefix = String(ctx.req.headers["user-agent"] ?? "").split("/")[0]!;
  return [...prefix]
    .filter((c) => /\P{C}/u.test(c))
    .join("")
    .slice(0, 128);
}

/** The manager of a create or update, after ValidateCreateOptions/ValidateUpdateOptions. */
export function writeManager(ctx: ResourceContext, options: "CreateOptions" | "UpdateOptions"): ManagedWrite {
  const fieldManager = ctx.url.searchParams.get("fieldManager") ?? "";
  const errors = fieldManagerErrors(fieldManager);
  if (errors.length) throw invalid(options, "meta.k8s.io", "", errors);
  return {
    kind: ctx.kind,
    subresource: ctx.info.subresource,
    manager: fieldManager || userAgentManager(ctx),
  };
}

/** The applied configuration, checked as structuredMergeManager.Apply checks it. */
function applyConfigFor(ctx: ResourceContext, body: Record<string, unknown>): KubeObject {
  const expected = apiVersionOf(ctx.kind);
  if (body.apiVersion !== expected) {
    throw badRequest(
      `Incorrect version specified in apply patch. Specified patch version: ${String(body.apiVersion ?? "")}, expected: ${expected}`,
    );
  }
  if (body.kind !== ctx.kind.kind) {
    throw badRequest(
      `${String(body.kind ?? "")} in version "${expected}" cannot be handled as a ${ctx.kind.kind}`,
    );
  }
  const metadata = isPlainObject(body.metadata) ? body.metadata : {};
  if (metadata.managedFields !== undefined && metadata.managedFields !== null) {
    throw badRequest("metadata.managedFields must be nil");
  }
  return clone({ ...body, metadata }) as KubeObject;
}

/**
 * The object a PATCH asks for, with its managed fields. Only an apply may create (`current`
 * undefined); the other patch types need the object.
 */
export async function patchedObject(
  ctx: ResourceContext,
  current: KubeObject | undefined,
): Promise<KubeObject> {
  const type = patchTypeOf(ctx.req.headers["content-type"]);
  const options = patchOptions(ctx.url, type);
  const body = parsePatchBody(type, (await readBody(ctx.req)).toString("utf8"));
  const write: ManagedWrite = {
    kind: ctx.kind,
    subresource: ctx.info.subresource,
    manager: options.fieldManager || userAgentManager(ctx),
  };
  if (type === "apply") {
    const config = applyConfigFor(ctx, body as Record<string, unknown>);
    const uid = config.metadata.uid;
    if (!current && uid) {
      throw conflict(
        ctx.kind.resource,
        ctx.kind.group,
        ctx.info.name,
        `uid mismatch: the provided object specified uid ${uid}, and no existing object was found`,
      );
    }
    return bodyFor(ctx, applyConfiguration(write, current, config, options.force));
  }
  if (!current) throw notFound(ctx.kind.resource, ctx.kind.group, ctx.info.name);
  const patched = applyPatch(type, current, body, kindSchema(ctx.kind.resource).schema);
  if (!isPlainObject(patched)) {
    throw badRequest(
      `the patched object is not an object of ${qualified(ctx.kind.resource, ctx.kind.group)}`,
    );
  }
  const object = bodyFor(ctx, patched);
  ctx.core.store.applyDefaults(object);
  return recordUpdate(write, current, object);
}
