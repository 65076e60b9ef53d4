import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensurePrivateDir, fileNameOf, readCacheFile, writeFileAtomic } from "./cache-files.ts";

/** A broker session as kept on disk: one file per broker, mode 0600. */
export interface StoredSession {
  server: string;
  /** The session secret (kbs_…): a bearer credential; never printed. */
  session: string;
  expiresAt: string;
  principal: { name: string; groups?: string[]; [field: string]: unknown };
  /** PEM of the CA the person told us to trust for this broker, remembered for later runs. */
  ca?: string;
}

export class SessionStore {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  fileOf(server: string): string {
    return join(this.#dir, `session-${fileNameOf(server)}.json`);
  }

  read(server: string): { session?: StoredSession; corrupt?: boolean } {
    const read = readCacheFile(this.fileOf(server), isStoredSession);
    if (read.corrupt) return { corrupt: true };
    return read.value?.server === server ? { session: read.value } : {};
  }

  /** Saves the session and makes its broker the default for commands run without --server. */
  write(session: StoredSession): void {
    ensurePrivateDir(this.#dir);
    writeFileAtomic(this.fileOf(session.server), `${JSON.stringify(session)}\n`);
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

export function sessionExpired(session: StoredSession, now: number): boolean {
  return !(Date.parse(session.expiresAt) > now);
}

function isStoredSession(value: unknown): value is StoredSession {
  const v = value as Partial<StoredSession> | null;
  return (
    typeof v === "object" &&
    v !== null &&
    typeof v.server === "string" &&
    typeof v.session === "string" &&
    v.session !== "" &&
    typeof v.expiresAt === "string" &&
    typeof v.principal === "object" &&
    v.principal !== null &&
    typeof v.principal.name === "string" &&
    (v.ca === undefined || typeof v.ca === "string")
  );
}
