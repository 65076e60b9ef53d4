import type { IncomingMessage } from "node:http";
import type { ClusterConfig } from "../config/schema.ts";
import type { Grant } from "../grants/index.ts";
import { Forbidden, Unauthorized } from "../shared/errors.ts";
import type { RequestContext } from "./audit-fields.ts";
import type { ClusterLocator } from "./cluster-locator.ts";
import type { GrantResolver } from "./grant-resolver.ts";
import { hasImpersonation } from "./headers.ts";
import { parseQuery, parseRequestAttributes } from "./request-attributes.ts";
import type { TokenAuthenticator } from "./token-authenticator.ts";
import type { Upstream } from "./upstream.ts";

/** The API-audience token the gateway forwards with in gateway mode (the grants feature). */
export interface ApiTokenSource {
  apiToken(grant: Grant): Promise<string>;
}

/** One brokered cluster as the gateway sees it. */
export interface GatewayCluster {
  config: ClusterConfig;
  upstream: Upstream;
  authenticator: TokenAuthenticator;
}

export interface Admitted {
  cluster: GatewayCluster;
  /** The path and query to send upstream (any /clusters/<name> prefix removed, otherwise raw). */
  upstreamPath: string;
  /** The credential the gateway forwards with. */
  authorization: string;
}

/**
 * Everything that must hold before a request may reach a cluster, in order: a known cluster,
 * a path that reads one way only, no impersonation, a valid token of a kube-broker-managed
 * ServiceAccount, and an active grant behind it. Fills `ctx` as it learns, so that even a
 * refusal is audited with what was known. Throws the typed error to answer with.
 */
export async function admit(
  req: IncomingMessage,
  ctx: RequestContext,
  /** Which cluster, by the listener the request came in on (cluster-locator.ts). */
  locate: ClusterLocator,
  deps: { resolver: GrantResolver; apiTokens: ApiTokenSource },
): Promise<Admitted> {
  const { cluster, rawPath, rawQuery } = locate(req);
  ctx.cluster = cluster.config.name;
  ctx.rawPath = rawPath;
  ctx.query = parseQuery(rawQuery);
  ctx.attrs = parseRequestAttributes(req.method ?? "GET", rawPath, ctx.query);

  if (hasImpersonation(req.headers)) {
    throw new Forbidden(
      "Impersonate-* headers are not allowed through kube-broker; ask for the access you need instead",
    );
  }
  const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")?.[1];
  if (!token)
    throw new Unauthorized("no bearer token; use a kubeconfig written by kubectl broker kubeconfig");
  const identity = await cluster.authenticator.authenticate(token);
  ctx.grant = await deps.resolver.resolve(cluster.config.name, cluster.config.grantsNamespace, identity);

  const forwardWith =
    cluster.config.tokenAudience === "gateway" ? await deps.apiTokens.apiToken(ctx.grant) : token;
  return {
    cluster,
    upstreamPath: rawQuery ? `${rawPath}?${rawQuery}` : rawPath,
    authorization: `Bearer ${forwardWith}`,
  };
}
