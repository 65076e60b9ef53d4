import type { IncomingMessage } from "node:http";
import { gatewayAudience } from "../config/gateway-audience.ts";
import { NotFound, Unauthorized } from "../shared/errors.ts";
import type { GatewayCluster } from "./admission.ts";

/** Which cluster a request is for, and its path and query as that cluster's API server reads them. */
export interface Located {
  cluster: GatewayCluster;
  rawPath: string;
  rawQuery: string;
}

/**
 * How a listener tells which cluster a request is for. Throws the Status to answer with when
 * it cannot (a refusal still audited: nothing is known yet but the path).
 */
export type ClusterLocator = (req: IncomingMessage) => Located;

const PREFIX = /^\/clusters\/([^/?]+)(\/[^?]*)?(?:\?(.*))?$/s;

/** The broker's own listener: /clusters/<name>/<the API path>. */
export function byPathPrefix(clusters: ReadonlyMap<string, GatewayCluster>): ClusterLocator {
  return (req) => {
    const match = PREFIX.exec(req.url ?? "");
    const cluster = match ? clusters.get(match[1]!) : undefined;
    if (!match || !cluster)
      throw new NotFound(`no cluster is served at ${JSON.stringify((req.url ?? "").split("?")[0])}`);
    return { cluster, rawPath: match[2] || "/", rawQuery: match[3] ?? "" };
  };
}

/**
 * The prefix-free gateway listener, where every path is the cluster's own (kubectl --raw,
 * kubectl proxy and clients that build URLs from the root work unchanged). The cluster is
 * named by the host, `<cluster>.<domain>`, when a domain is set (each cluster its own
 * address, SNI and all); otherwise by the presented token's audience, which in gateway mode
 * is the cluster's own (`kube-broker:<cluster>` by default), so one address serves every
 * cluster. The audience is only read here: the cluster's authenticator verifies the token
 * (signature, expiry and that same audience) before anything is forwarded.
 */
export function byHostOrAudience(
  clusters: ReadonlyMap<string, GatewayCluster>,
  options: { domain?: string; brokerUrl: string },
): ClusterLocator {
  const suffix = options.domain ? `.${options.domain.toLowerCase()}` : undefined;
  const byAudience = new Map<string, GatewayCluster>();
  for (const cluster of clusters.values()) {
    if (cluster.config.tokenAudience === "gateway") byAudience.set(gatewayAudience(cluster.config), cluster);
  }
  const elsewhere = (name = "<cluster>") => `${options.brokerUrl.replace(/\/$/, "")}/clusters/${name}`;
  return (req) => {
    const url = req.url ?? "/";
    const at = url.indexOf("?");
    const rawPath = at < 0 ? url : url.slice(0, at);
    const rawQuery = at < 0 ? "" : url.slice(at + 1);
    if (suffix) {
      const host = hostName(req.headers.host);
      const name = host.endsWith(suffix) ? host.slice(0, -suffix.length) : undefined;
      const cluster = name ? clusters.get(name) : undefined;
      if (!cluster)
        throw new NotFound(
          `no cluster is served at host ${JSON.stringify(host)}: use <cluster>${suffix} or ${elsewhere()}`,
        );
      return { cluster, rawPath, rawQuery };
    }
    const audiences = tokenAudiences(req.headers.authorization);
    if (!audiences)
      throw new Unauthorized("no bearer token; use a kubeconfig written by kubectl broker kubeconfig");
    for (const audience of audiences) {
      const cluster = byAudience.get(audience);
      if (cluster) return { cluster, rawPath, rawQuery };
    }
    throw new NotFound(
      `this address chooses the cluster by the token's audience, and no cluster here has this token's; use ${elsewhere()} with a token from kubectl broker`,
    );
  };
}

/** The Host header without its port, lower-cased ("" when absent). */
function hostName(host: string | undefined): string {
  if (!host) return "";
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0]!;
  return name.toLowerCase();
}

/**
 * The `aud` claim of a bearer JWT, unverified (the authenticator verifies it next), or
 * undefined when there is no bearer token; [] when it is not a readable JWT (the
 * authenticator will say what is wrong with it, once a cluster is known — here: none is).
 */
function tokenAudiences(authorization: string | undefined): string[] | undefined {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
  if (!token) return undefined;
  const payload = token.split(".")[1];
  if (!payload) return [];
  try {
    const { aud } = JSON.parse(Buffer.from(payload, "base64url").toString()) as { aud?: unknown };
    if (typeof aud === "string") return [aud];
    return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === "string") : [];
  } catch {
    return [];
  }
}
