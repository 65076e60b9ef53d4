/**
 * The broker session's secret in the OS keyring, through @napi-rs/keyring (keyring-rs): the
 * Secret Service on Linux, the Keychain on macOS, the Credential Manager on Windows.
 *
 * The native addon is imported only here, dynamically, when a session secret is read or
 * written: the exec plugin's cached path (main.ts) never reaches this module, so kubectl's
 * every run loads no addon and talks to no D-Bus. The builds leave the package outside their
 * bundles (scripts/build.ts, scripts/build-sea.ts): the npm package loads it from its
 * node_modules; a single executable does not load it and keeps the session in the file.
 */
export const KEYRING_SERVICE = "kube-broker";

/**
 * The entry's account: the broker's URL, so that several brokers sit side by side, and the
 * cache directory, so that two caches for one broker (KUBE_BROKER_CACHE_DIR, two identities)
 * never overwrite each other's session.
 */
export function keyringAccount(server: string, cacheDir: string): string {
  return `${server} (${cacheDir})`;
}

export interface SessionKeyring {
  /**
   * Whether the keyring takes a secret now (running, unlocked): writes and deletes an entry
   * beside the session's. A read would not do: a locked keyring answers "none" to a search.
   */
  probe(): Promise<void>;
  get(): Promise<string | undefined>;
  set(secret: string): Promise<void>;
  /** True when there was an entry to delete. */
  delete(): Promise<boolean>;
}

/** Keyring failures, carrying one line that says why (never a secret: the library's message). */
export class KeyringUnavailable extends Error {}

type KeyringModule = typeof import("@napi-rs/keyring");

export async function sessionKeyring(server: string, cacheDir: string): Promise<SessionKeyring> {
  const lib = await loadLibrary();
  // On Linux, the Secret Service only: keyring-rs would otherwise fall back to the kernel's
  // keyring, which keeps secrets in memory only (gone at reboot): not what the option promises.
  const options = { linux: { store: "secret-service" as const } };
  const account = keyringAccount(server, cacheDir);
  // Making an entry connects to the store (D-Bus on Linux), and throws when there is none.
  const entry = await attempt(async () => new lib.AsyncEntry(KEYRING_SERVICE, account, options));
  return {
    probe: () =>
      attempt(async () => {
        const probe = new lib.AsyncEntry(KEYRING_SERVICE, `${account} write test`, options);
        await probe.setPassword("-");
        await probe.deletePassword();
      }),
    get: () => attempt(async () => (await entry.getPassword()) ?? undefined),
    set: (secret) => attempt(() => entry.setPassword(secret)),
    delete: () => attempt(() => entry.deletePassword()),
  };
}

async function loadLibrary(): Promise<KeyringModule> {
  // A single executable carries no node_modules, and its import() of a package name would
  // look wherever it runs: a directory's node_modules would run as part of this program.
  if (process.getBuiltinModule("node:sea").isSea())
    throw new KeyringUnavailable("this single executable cannot load the keyring's native module");
  try {
    return await import("@napi-rs/keyring");
  } catch (err) {
    throw new KeyringUnavailable(`the keyring module cannot be loaded: ${oneLine(err)}`);
  }
}

async function attempt<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw new KeyringUnavailable(oneLine(err));
  }
}

function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split("\n")[0]!.trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
