import { join } from "node:path";
import { ensurePrivateDir, fileNameOf, readCacheFile, writeFileAtomic } from "../cache/cache-files.ts";

/**
 * The broker's answers that completion used, kept a short while so that pressing TAB again
 * (and again) does not ask the broker each time: completion-<broker>+<what>+<person>.json in
 * the cache directory, mode 0600. Only what completion offers is kept (names, IDs and a few
 * words about each), never a token or a session. A file that cannot be read or written costs
 * only a question to the broker.
 */
export interface CacheKey {
  server: string;
  /** What the answer is: "clusters", "placements", "requests-review", … */
  what: string;
  /** Whose answer it is ("" when it needs no session). */
  principal: string;
}

interface Entry {
  server: string;
  what: string;
  principal: string;
  storedAt: number;
  value: unknown;
}

export class CompletionCache {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  fileOf(key: CacheKey): string {
    return join(this.#dir, `completion-${fileNameOf(key.server, key.what, key.principal)}.json`);
  }

  /** The value stored for `key` less than `ttlMs` ago (by `now`), if it is what `isValid` wants. */
  read<T>(key: CacheKey, now: number, ttlMs: number, isValid: (value: unknown) => value is T): T | undefined {
    let entry: Entry | undefined;
    try {
      entry = readCacheFile(this.fileOf(key), isEntry).value;
    } catch {
      return undefined;
    }
    if (!entry || entry.server !== key.server || entry.what !== key.what || entry.principal !== key.principal)
      return undefined;
    // A time ahead of the clock is as stale as an old one: the clock moved back.
    if (!(entry.storedAt <= now && now - entry.storedAt < ttlMs)) return undefined;
    return isValid(entry.value) ? entry.value : undefined;
  }

  write(key: CacheKey, now: number, value: unknown): void {
    const entry: Entry = { ...key, storedAt: now, value };
    try {
      ensurePrivateDir(this.#dir);
      writeFileAtomic(this.fileOf(key), `${JSON.stringify(entry)}\n`);
    } catch {
      // Not kept: the next TAB asks the broker again.
    }
  }
}

function isEntry(value: unknown): value is Entry {
  const v = value as Partial<Entry> | null;
  return (
    typeof v === "object" &&
    v !== null &&
    typeof v.server === "string" &&
    typeof v.what === "string" &&
    typeof v.principal === "string" &&
    typeof v.storedAt === "number"
  );
}
