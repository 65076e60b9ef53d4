import { appendFileSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensurePrivateDir, fileNameOf, readCacheFile, writeFileAtomic } from "./cache-files.ts";

/**
 * What a cached token is for. `namespace` holds the grant's namespaces, comma-joined and
 * sorted; "" for a cluster-wide role or for every namespace standing policy allows.
 */
export interface TokenKey {
  server: string;
  cluster: string;
  role: string;
  namespace: string;
}

export interface CachedToken extends TokenKey {
  token: string;
  /** RFC 3339, as the broker reported it (already a little before the JWT's exp). */
  expirationTimestamp: string;
  grantId: string;
  /** RFC 3339: when the grant behind the token ends (absent in caches written before it was kept). */
  grantExpiresAt?: string;
}

/** Refresh when less than this is left, so kubectl never starts a request with a dying token. */
export const REFRESH_MARGIN_MS = 60_000;

/**
 * Whether to hand the token out without asking the broker: more than the margin left, or, in
 * a grant's last minute, a token that already lasts as long as the grant (no fresher one can
 * be had, so asking again would only cost a round trip on every kubectl run).
 */
export function isFresh(token: CachedToken, now: number): boolean {
  const expires = Date.parse(token.expirationTimestamp);
  if (expires - now > REFRESH_MARGIN_MS) return true;
  const grantEnds = token.grantExpiresAt ? Date.parse(token.grantExpiresAt) : Number.NaN;
  return expires > now && expires >= grantEnds;
}

/** One file per (server, cluster, role, namespace), with a lock file beside it. */
export class TokenCache {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  fileOf(key: TokenKey): string {
    return join(this.#dir, `token-${fileNameOf(key.server, key.cluster, key.role, key.namespace)}.json`);
  }

  lockOf(key: TokenKey): string {
    return this.fileOf(key).replace(/\.json$/, ".lock");
  }

  read(key: TokenKey): { token?: CachedToken; corrupt?: boolean } {
    const read = readCacheFile(this.fileOf(key), isCachedToken);
    if (read.corrupt) return { corrupt: true };
    const token = read.value;
    const same =
      token?.server === key.server &&
      token.cluster === key.cluster &&
      token.role === key.role &&
      token.namespace === key.namespace;
    return same ? { token } : {};
  }

  write(token: CachedToken): void {
    ensurePrivateDir(this.#dir);
    writeFileAtomic(this.fileOf(token), `${JSON.stringify(token)}\n`);
    rmSync(this.#servedFile(token), { force: true });
  }

  discard(key: TokenKey): void {
    rmSync(this.fileOf(key), { force: true });
    rmSync(this.#servedFile(key), { force: true });
  }

  /**
   * Whether this kubectl process (the plugin's parent) was handed the cached token already.
   * kubectl runs the plugin once and again only when the token expired or was refused (401),
   * so a second call before expiry means the token is dead (its grant was revoked or ended):
   * the caller fetches a new one rather than hand out the dead one until it expires. Once
   * reissued for a process, the token is trusted for it, so a client that calls the plugin
   * before every request costs at most one extra token, not a storm of them.
   */
  servedTo(key: TokenKey, kubectlPid: number): "no" | "yes" | "reissued" {
    let lines: string[];
    try {
      lines = readFileSync(this.#servedFile(key), "utf8").split("\n");
    } catch {
      return "no";
    }
    if (lines.includes(`${kubectlPid}!`)) return "reissued";
    return lines.includes(String(kubectlPid)) ? "yes" : "no";
  }

  /** Appends (one small O_APPEND write, safe alongside other processes); best effort. */
  markServed(key: TokenKey, kubectlPid: number, how: "served" | "reissued"): void {
    try {
      appendFileSync(this.#servedFile(key), `${kubectlPid}${how === "reissued" ? "!" : ""}\n`, {
        mode: 0o600,
      });
    } catch {
      // A read-only cache only loses the dead-token detection.
    }
  }

  /** Forgets the tokens of one grant (it was just revoked: they no longer work). */
  discardGrant(grantId: string): void {
    for (const name of this.#tokenFiles("token-")) {
      const read = readCacheFile(join(this.#dir, name), isCachedToken);
      if (read.value?.grantId === grantId) this.discard(read.value);
    }
  }

  #servedFile(key: TokenKey): string {
    return this.fileOf(key).replace(/\.json$/, ".served");
  }

  #tokenFiles(prefix: string): string[] {
    try {
      return readdirSync(this.#dir).filter((name) => name.startsWith(prefix) && name.endsWith(".json"));
    } catch {
      return [];
    }
  }

  /** Forgets every token of one broker (on logout: they were minted under that session). */
  discardServer(server: string): void {
    for (const name of this.#tokenFiles(`token-${fileNameOf(server)}+`)) {
      rmSync(join(this.#dir, name), { force: true });
      rmSync(join(this.#dir, name.replace(/\.json$/, ".served")), { force: true });
    }
  }
}

function isCachedToken(value: unknown): value is CachedToken {
  const v = value as Partial<CachedToken> | null;
  return (
    typeof v === "object" &&
    v !== null &&
    typeof v.token === "string" &&
    v.token !== "" &&
    typeof v.expirationTimestamp === "string" &&
    !Number.isNaN(Date.parse(v.expirationTimestamp)) &&
    typeof v.server === "string" &&
    typeof v.cluster === "string" &&
    typeof v.role === "string" &&
    typeof v.namespace === "string" &&
    typeof v.grantId === "string"
  );
}
