import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensurePrivateDir, fileNameOf, readCacheFile, writeFileAtomic } from "./cache-files.ts";

/** What is known of a broker session besides its secret. */
export interface SessionInfo {
  server: string;
  expiresAt: string;
  principal: { name: string; groups?: string[]; [field: string]: unknown };
  /** PEM of the CA the person told us to trust for this broker, remembered for later runs. */
  ca?: string;
}

/** A broker session with its secret, as sign-in makes it. */
export interface StoredSession extends SessionInfo {
  /** The session secret (kbs_…): a bearer credential; never printed. */
  session: string;
}

/**
 * The session file, one per broker, mode 0600: the whole session, or (when the OS keyring
 * keeps the secret, session-keyring.ts) everything but the secret, so that the expiry, the
 * person and the CA are known without loading the keyring.
 */
export type SessionRecord = SessionInfo &
  ({ session: string; keyring?: undefined } | { session?: undefined; keyring: true });

export class SessionStore {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  fileOf(server: string): string {
    return join(this.#dir, `session-${fileNameOf(server)}.json`);
  }

  read(server: string): { session?: SessionRecord; corrupt?: boolean } {
    const read = readCacheFile(this.fileOf(server), isSessionRecord);
    if (read.corrupt) return { corrupt: true };
    return read.value?.server === server ? { session: read.value } : {};
  }

  /**
   * Saves the session (its secret too, unless the keyring has it) and makes its broker the
   * default for commands run without --server. One atomic replace: a secret kept by an
   * earlier disk login does not outlive a keyring login.
   */
  write(session: StoredSession, secretIn: "file" | "keyring" = "file"): void {
    const { session: secret, ...info } = session;
    const record: SessionRecord =
      secretIn === "file" ? { ...info, session: secret } : { ...info, keyring: true };
    ensurePrivateDir(this.#dir);
    writeFileAtomic(this.fileOf(session.server), `${JSON.stringify(record)}\n`);
    writeFileAtomic(this.#currentFile(), `${session.server}\n`);
  }

  remove(server: string): void {
    rmSync(this.fileOf(server), { force: true });
  }

  /** The broker of the last login, used when neither --server nor KUBE_BROKER_SERVER is set. */
  lastServer(): string | undefined {
    try {
      return readFileSync(this.#currentFile(), "utf8").trim() || undefined;
    } catch {
      return undefined;
    }
  }

  #currentFile(): string {
    return join(this.#dir, "current-server");
  }
}

export function sessionExpired(session: SessionInfo, now: number): boolean {
  return !(Date.parse(session.expiresAt) > now);
}

function isSessionRecord(value: unknown): value is SessionRecord {
  const v = value as Partial<StoredSession> & { keyring?: unknown };
  return (
    typeof v === "object" &&
    v !== null &&
    typeof v.server === "string" &&
    ((typeof v.session === "string" && v.session !== "" && v.keyring === undefined) ||
      (v.session === undefined && v.keyring === true)) &&
    typeof v.expiresAt === "string" &&
    typeof v.principal === "object" &&
    v.principal !== null &&
    typeof v.principal.name === "string" &&
    (v.ca === undefined || typeof v.ca === "string")
  );
}
