import { UsageError } from "../cli-error.ts";

/**
 * Where `login` keeps the broker session's secret: the OS keyring (Secret Service on Linux,
 * Keychain on macOS, Credential Manager on Windows) or a 0600 file in the cache directory.
 * kubelogin's option and values, less its `none`: a broker session must outlive the run
 * that made it, or `kubectl broker login` would be pointless.
 *
 * Only node code and no packages: the exec plugin's cached path parses its flags with this.
 */
export type SessionStorage = "keyring" | "disk";

export interface StorageChoice {
  storage: SessionStorage;
  /**
   * Named by the flag or the environment. An explicit keyring is never traded for a file
   * (the person asked for the secret to stay off disk); an explicit disk never touches the
   * keyring. The default, keyring, falls back to the file with a note.
   */
  explicit: boolean;
}

export const STORAGE_ENV = "KUBE_BROKER_TOKEN_CACHE_STORAGE";

export const STORAGE_FLAG = {
  "token-cache-storage": { type: "string" },
} as const;

export function storageChoice(
  flag: string | undefined,
  env: Record<string, string | undefined>,
): StorageChoice {
  const named = flag || env[STORAGE_ENV];
  if (!named) return { storage: "keyring", explicit: false };
  if (named === "keyring" || named === "disk") return { storage: named, explicit: true };
  const source = flag ? "--token-cache-storage" : STORAGE_ENV;
  if (named === "none")
    throw new UsageError(
      `${source} none is not offered: the session must outlive this run (keyring or disk)`,
    );
  throw new UsageError(`${source} must be keyring or disk, not "${named}"`);
}
