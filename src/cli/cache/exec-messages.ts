import { join } from "node:path";
import { ensurePrivateDir, readCacheFile, writeFileAtomic } from "./cache-files.ts";

/**
 * What the exec plugin has said to which kubectl process, so a retry says nothing twice.
 * kubectl runs the plugin again after a failure (twice for `get pods`, more while discovery
 * retries), each run writing to the same terminal, so one refusal would show as many times.
 * The plugin's parent pid names the kubectl process; a line it was shown less than WINDOW_MS
 * ago is not shown again. One small file for the cache directory, rewritten whole: two
 * kubectl processes failing at the same moment may both keep their line, which costs a
 * repeat, never a lost message the first time.
 */
const WINDOW_MS = 60_000;
const FILE = "exec-messages.json";

interface Said {
  pid: number;
  line: string;
  at: number;
}

export class ExecMessages {
  readonly #dir: string;
  readonly #file: string;

  constructor(cacheDir: string) {
    this.#dir = cacheDir;
    this.#file = join(cacheDir, FILE);
  }

  /** True (and remembered) when kubectl process `pid` has not been shown `line` lately. */
  firstTime(pid: number, line: string, now: number): boolean {
    const recent = this.#read().filter((said) => now - said.at < WINDOW_MS && said.at <= now);
    if (recent.some((said) => said.pid === pid && said.line === line)) return false;
    try {
      ensurePrivateDir(this.#dir);
      writeFileAtomic(this.#file, `${JSON.stringify([...recent, { pid, line, at: now }])}\n`);
    } catch {
      // A cache that cannot be written only costs a repeated line.
    }
    return true;
  }

  #read(): Said[] {
    try {
      return readCacheFile(this.#file, isSaidList).value ?? [];
    } catch {
      return [];
    }
  }
}

function isSaidList(value: unknown): value is Said[] {
  return (
    Array.isArray(value) &&
    value.every(
      (said: Partial<Said> | null) =>
        typeof said?.pid === "number" && typeof said.line === "string" && typeof said.at === "number",
    )
  );
}
