import { parseFlags, required } from "./args.ts";
import { cacheDirOf } from "./cache/cache-files.ts";
import { STORAGE_FLAG } from "./cache/session-storage.ts";
import { SessionStore } from "./cache/session-store.ts";
import { type CachedToken, isFresh, TokenCache, type TokenKey } from "./cache/token-cache.ts";
import type { CliContext } from "./context.ts";
import { type ExecInfo, execCredential, readExecInfo } from "./exec-credential.ts";
import { resolveServer } from "./server-url.ts";

/**
 * The exec plugin's request, and its answer from the disk cache. main.ts runs this before
 * loading anything else, so it and its imports use only node:fs, node:path, node:os and
 * node:util: no HTTP, no crypto, no packages (scripts/build.ts checks).
 */
export interface CredentialRequest {
  key: TokenKey;
  info: ExecInfo;
  /** Run by kubectl (KUBERNETES_EXEC_INFO set), not by hand. */
  fromKubectl: boolean;
  cache: TokenCache;
  certificateAuthority: string | undefined;
  browserCommand: string | undefined;
  /** --token-cache-storage: where a sign-in keeps the session (the token cache is always a file). */
  storage: string | undefined;
}

type Context = Pick<CliContext, "env" | "homeDir" | "clock" | "parentPid">;

/** The flags of `credential` (kubeconfig's exec entries pass them; completion offers them). */
export const credentialFlags = {
  server: { type: "string" },
  "certificate-authority": { type: "string" },
  cluster: { type: "string" },
  role: { type: "string" },
  namespace: { type: "string", short: "n", multiple: true },
  "browser-command": { type: "string" },
  ...STORAGE_FLAG,
} as const;

export function credentialRequest(args: string[], ctx: Context): CredentialRequest {
  const { values } = parseFlags(args, credentialFlags);
  const dir = cacheDirOf(ctx.env, ctx.homeDir);
  return {
    key: {
      server: resolveServer(values.server, ctx.env, () => new SessionStore(dir).lastServer()),
      cluster: required(values.cluster, "cluster"),
      role: required(values.role, "role"),
      namespace: namespaceKey(values.namespace ?? []),
    },
    info: readExecInfo(ctx.env.KUBERNETES_EXEC_INFO),
    fromKubectl: ctx.env.KUBERNETES_EXEC_INFO !== undefined,
    cache: new TokenCache(dir),
    certificateAuthority: values["certificate-authority"],
    browserCommand: values["browser-command"],
    storage: values["token-cache-storage"],
  };
}

/** The namespaces of a credential as its cache key: sorted, comma-joined; "" for none. */
export function namespaceKey(namespaces: readonly string[]): string {
  return [...new Set(namespaces)].sort().join(",");
}

export interface CacheVerdict {
  /** A token to hand out as it is. */
  token?: CachedToken;
  /** Whether handing it out should be recorded (the first time for this kubectl process). */
  record?: boolean;
  /** A fresh-looking token that this kubectl process already had, and came back for: dead. */
  refused?: CachedToken;
  corrupt?: boolean;
}

export function consultCache(request: CredentialRequest, ctx: Context): CacheVerdict {
  const read = request.cache.read(request.key);
  if (read.corrupt) return { corrupt: true };
  const token = read.token;
  if (!token || !isFresh(token, ctx.clock.now())) return {};
  if (!request.fromKubectl) return { token };
  const served = request.cache.servedTo(request.key, ctx.parentPid);
  return served === "yes" ? { refused: token } : { token, record: served === "no" };
}

/** The ExecCredential to print, recording (when asked) which kubectl process got the token. */
export function serve(
  request: CredentialRequest,
  ctx: Context,
  token: CachedToken,
  record: "served" | "reissued" | false,
): string {
  if (request.fromKubectl && record) request.cache.markServed(request.key, ctx.parentPid, record);
  return execCredential(request.info.apiVersion, token.token, token.expirationTimestamp);
}

/**
 * The answer from the cache alone, or undefined when the full command must run (no token,
 * an old or refused one, a damaged file, bad flags): that one also explains any problem.
 */
export function cachedCredential(args: string[], ctx: Context): string | undefined {
  try {
    const request = credentialRequest(args, ctx);
    const verdict = consultCache(request, ctx);
    return verdict.token ? serve(request, ctx, verdict.token, verdict.record ? "served" : false) : undefined;
  } catch {
    return undefined;
  }
}
