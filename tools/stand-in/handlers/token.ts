/** `POST …/serviceaccounts/<name>/token`: the HTTP face of token-request.ts. */
import type { ResourceContext } from "../context.ts";
import { readObject, sendJson } from "../http-io.ts";
import { isPlainObject } from "../objects.ts";
import { badRequest, methodNotAllowed } from "../status.ts";
import { requestToken, type TokenRequestSpec } from "../token-request.ts";

export async function serveTokenRequest(ctx: ResourceContext): Promise<void> {
  if (ctx.info.verb !== "create") throw methodNotAllowed();
  const body = await readObject(ctx.req);
  if (!isPlainObject(body)) throw badRequest("Object 'Kind' is missing in the request body");
  if (body.kind && body.kind !== "TokenRequest") {
    throw badRequest(
      `${body.kind} in version "${body.apiVersion ?? ""}" cannot be handled as a TokenRequest`,
    );
  }
  const spec = (isPlainObject(body.spec) ? body.spec : {}) as TokenRequestSpec;
  const metadata = (isPlainObject(body.metadata) ? body.metadata : {}) as {
    name?: string;
    namespace?: string;
  };
  const { tokenRequest, warnings } = await requestToken(
    ctx.core,
    ctx.info.namespace,
    ctx.info.name,
    spec,
    metadata,
  );
  const headers: Record<string, string> = {};
  if (warnings.length) headers.warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(", ");
  sendJson(ctx.res, 201, tokenRequest, headers);
}
