/**
 * Checks a request body against the URL it was sent to, with the real server's messages:
 * a mismatched kind, namespace or name is a 400, not something silently fixed up.
 */
import type { ResourceContext } from "../context.ts";
import { readObject } from "../http-io.ts";
import { apiVersionOf } from "../kinds.ts";
import { isPlainObject, type KubeObject } from "../objects.ts";
import { badRequest } from "../status.ts";

export async function readKubeObject(ctx: ResourceContext): Promise<KubeObject> {
  const body = await readObject(ctx.req);
  if (!isPlainObject(body)) throw badRequest("Object 'Kind' is missing in the request body");
  return bodyFor(ctx, body);
}

/** Fills in what the URL implies and refuses what contradicts it. */
export function bodyFor(ctx: ResourceContext, body: Record<string, unknown>): KubeObject {
  const { kind, info } = ctx;
  const object = body as KubeObject;
  if (object.kind && object.kind !== kind.kind) {
    throw badRequest(
      `${object.kind} in version "${object.apiVersion ?? ""}" cannot be handled as a ${kind.kind}`,
    );
  }
  if (object.apiVersion && object.apiVersion !== apiVersionOf(kind)) {
    throw badRequest(
      `the API version in the data (${object.apiVersion}) does not match the expected API version (${apiVersionOf(kind)})`,
    );
  }
  object.kind = kind.kind;
  object.apiVersion = apiVersionOf(kind);
  object.metadata = isPlainObject(object.metadata) ? object.metadata : {};
  if (kind.namespaced) {
    if (object.metadata.namespace && object.metadata.namespace !== info.namespace) {
      throw badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    object.metadata.namespace = info.namespace;
  }
  if (info.name && object.metadata.name !== info.name) {
    throw badRequest(
      `the name of the object (${object.metadata.name ?? ""}) does not match the name on the URL (${info.name})`,
    );
  }
  return object;
}

/** `?dryRun=All` (the only value the real server accepts besides none). */
export function isDryRun(url: URL): boolean {
  const values = url.searchParams.getAll("dryRun");
  if (values.some((v) => v !== "All")) throw badRequest(`Invalid dry run value: ${values.join(", ")}`);
  return values.length > 0;
}
