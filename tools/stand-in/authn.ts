/**
 * Authentication: the static admin token, and service-account JWTs this server issued. A JWT
 * is good only while its audience meets the audiences asked for (the server's own, or a
 * TokenReview's) and — checked on every request, as the real server does — its
 * ServiceAccount and any bound Pod, Secret or Node still exist with the UIDs in the token.
 * Without credentials only the health and version paths are served (anonymous), as with
 * the structured authentication config's anonymous conditions; anything else is 401.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { decodeJwt } from "jose";
import { checkLegacyToken } from "./legacy-tokens.ts";
import type { UserInfo } from "./rbac/types.ts";
import { type BoundObject, LEGACY_ISSUER, type ServiceAccountClaims, type TokenIssuer } from "./sa-tokens.ts";
import { unauthorized } from "./status.ts";
import type { ObjectStore } from "./store.ts";

export const ANONYMOUS: UserInfo = { username: "system:anonymous", groups: ["system:unauthenticated"] };
const ANONYMOUS_PATHS = new Set(["/healthz", "/livez", "/readyz", "/version", "/version/"]);
const WEBSOCKET_BEARER = "base64url.bearer.authorization.k8s.io.";

export interface TokenResult {
  user?: UserInfo;
  audiences: string[];
  error?: string;
}

export interface AuthenticatorOptions {
  store: ObjectStore;
  issuer: TokenIssuer;
  adminToken: string;
  apiAudiences: string[];
  /** Seconds a successful token check is remembered (kube-apiserver: 10; 0 = check every request). */
  successCacheSeconds: number;
}

export const ADMIN_USER: UserInfo = {
  username: "kubernetes-admin",
  groups: ["system:masters", "system:authenticated"],
};

export class Authenticator {
  #options: AuthenticatorOptions;
  #successes = new Map<string, { result: TokenResult; until: number }>();

  constructor(options: AuthenticatorOptions) {
    this.#options = options;
  }

  /** The user behind a request, or a thrown 401. */
  async authenticate(req: IncomingMessage, path: string): Promise<UserInfo> {
    const token = bearerToken(req);
    if (token === undefined) {
      if (ANONYMOUS_PATHS.has(path)) return ANONYMOUS;
      throw unauthorized();
    }
    const result = await this.authenticateToken(token);
    if (!result.user) throw unauthorized();
    return result.user;
  }

  /**
   * What a TokenReview reports: the user, the audiences the token is good for, or why not.
   * Like kube-apiserver's token cache, a success may be remembered for a few seconds (keyed
   * by token and audiences), during which a deleted ServiceAccount's token still works.
   */
  async authenticateToken(token: string, audiences?: string[]): Promise<TokenResult> {
    const wanted = audiences?.length ? audiences : this.#options.apiAudiences;
    const key = `${createHash("sha256").update(token).digest("hex")} ${wanted.join(" ")}`;
    const cached = this.#successes.get(key);
    if (cached && cached.until > Date.now()) return cached.result;
    const result = await this.#check(token, wanted);
    if (result.user && this.#options.successCacheSeconds > 0) {
      const now = Date.now();
      for (const [old, entry] of this.#successes) if (entry.until <= now) this.#successes.delete(old);
      this.#successes.set(key, { result, until: now + this.#options.successCacheSeconds * 1000 });
    }
    return result;
  }

  async #check(token: string, wanted: string[]): Promise<TokenResult> {
    if (token === this.#options.adminToken) {
      // The static token knows no audience: it only counts where the server's own audiences are asked for.
      const common = wanted.filter((a) => this.#options.apiAudiences.includes(a));
      return common.length ? { user: ADMIN_USER, audiences: common } : fail("invalid bearer token");
    }
    if (issuerOf(token) === LEGACY_ISSUER) {
      const result = await checkLegacyToken(this.#options, token, wanted);
      return result.user ? result : fail(result.error ?? "invalid bearer token");
    }
    const verified = await this.#options.issuer.verify(token);
    if (!verified.claims) return fail(verified.error ?? "invalid bearer token");
    const claims = verified.claims;
    const common = wanted.filter((a) => claims.aud.includes(a));
    if (common.length === 0) {
      return fail(
        `token audiences ${goList(claims.aud)} is invalid for the target audiences ${goList(wanted)}`,
      );
    }
    if (!this.#stillBound(claims)) return fail("service account token has been invalidated");
    return { user: serviceAccountUser(claims), audiences: common };
  }

  #stillBound(claims: ServiceAccountClaims): boolean {
    const k8s = claims["kubernetes.io"];
    const namespace = k8s?.namespace;
    if (!namespace || !k8s.serviceaccount) return false;
    const exists = (resource: string, ref: BoundObject | undefined, ns?: string) =>
      !ref || this.#options.store.find(resource, { namespace: ns, name: ref.name })?.metadata.uid === ref.uid;
    return (
      exists("serviceaccounts", k8s.serviceaccount, namespace) &&
      exists("pods", k8s.pod, namespace) &&
      exists("secrets", k8s.secret, namespace) &&
      // A node named in a pod-bound token may be only a name (no uid) when the node was unknown.
      (!k8s.node?.uid || exists("nodes", k8s.node))
    );
  }
}

/** The unverified `iss` claim, to pick the authenticator (as the union of JWT authenticators does). */
function issuerOf(token: string): unknown {
  try {
    return decodeJwt(token).iss;
  } catch {
    return undefined;
  }
}

function fail(error: string): TokenResult {
  return { audiences: [], error: `[invalid bearer token, ${error}]` };
}

export function goList(values: string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(" ")}]`;
}

export function serviceAccountUser(claims: ServiceAccountClaims): UserInfo {
  const k8s = claims["kubernetes.io"];
  const extra: Record<string, string[]> = {
    "authentication.kubernetes.io/credential-id": [`JTI=${claims.jti}`],
  };
  if (k8s.pod) {
    extra["authentication.kubernetes.io/pod-name"] = [k8s.pod.name];
    extra["authentication.kubernetes.io/pod-uid"] = [k8s.pod.uid];
  }
  if (k8s.node) {
    extra["authentication.kubernetes.io/node-name"] = [k8s.node.name];
    if (k8s.node.uid) extra["authentication.kubernetes.io/node-uid"] = [k8s.node.uid];
  }
  return {
    username: `system:serviceaccount:${k8s.namespace}:${k8s.serviceaccount.name}`,
    uid: k8s.serviceaccount.uid,
    groups: ["system:serviceaccounts", `system:serviceaccounts:${k8s.namespace}`, "system:authenticated"],
    extra,
  };
}

/** `Authorization: Bearer …`, or the token a browser WebSocket passes as a subprotocol. */
function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? match[1] : "";
  }
  const protocols = String(req.headers["sec-websocket-protocol"] ?? "").split(",");
  const offered = protocols.map((p) => p.trim()).find((p) => p.startsWith(WEBSOCKET_BEARER));
  return offered ? Buffer.from(offered.slice(WEBSOCKET_BEARER.length), "base64url").toString() : undefined;
}
