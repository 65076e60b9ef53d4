import {
  chmodSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";

/**
 * The files under ~/.kube/cache/kube-broker/ (or KUBE_BROKER_CACHE_DIR). Only node:fs and
 * node:path here: the exec plugin's cached path reads through this module, and every
 * millisecond of module loading shows in every kubectl run.
 */
export function cacheDirOf(env: Record<string, string | undefined>, homeDir: string): string {
  return env.KUBE_BROKER_CACHE_DIR || join(homeDir, ".kube", "cache", "kube-broker");
}

const MAX_NAME = 180;

/**
 * A file name made of parts, one to one: characters other than letters, digits, "." and "-"
 * become "_" and two hex digits (UTF-8 bytes), and parts are joined by "+", which the
 * escaping never produces. Readable when someone lists the directory. Names too long for a
 * file system are cut and given a hash; readers check the fields stored inside the file, so a
 * clash of cut names only costs a cache miss.
 */
export function fileNameOf(...parts: string[]): string {
  const name = parts
    .map((part) => encodeURIComponent(part).replace(/[!'()*_~%]/g, (c) => (c === "%" ? "_" : `_${hex(c)}`)))
    .join("+");
  return name.length <= MAX_NAME ? name : `${name.slice(0, MAX_NAME - 9)}-${fnv1a(name)}`;
}

function hex(char: string): string {
  return char.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0");
}

/** FNV-1a, 32 bits: node:crypto would cost the cached path more than everything else it does. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

export interface CacheRead<T> {
  value?: T;
  /** The file is there but unreadable: the caller says so and discards it. */
  corrupt?: boolean;
}

/** Reads a JSON cache file; a missing file is nothing, a damaged one is reported. */
export function readCacheFile<T>(path: string, isValid: (value: unknown) => value is T): CacheRead<T> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw err;
  }
  try {
    const value: unknown = JSON.parse(text);
    if (isValid(value)) return { value };
  } catch {
    // Unparseable: as damaged as a wrong shape.
  }
  return { corrupt: true };
}

/** Creates the cache directory readable by its owner only. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/**
 * Replaces a file in one step: write a private temporary file beside it, flush, rename over.
 * A reader (another kubectl process) sees the old content or the new, never half of one.
 */
export function writeFileAtomic(path: string, text: string, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const fd = openSync(temp, "wx", mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    replaceFile(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/** Codes Windows gives a rename over a file another process (kubectl, a virus scanner) has open. */
const BUSY_ON_WINDOWS = new Set(["EPERM", "EACCES", "EBUSY"]);
const REPLACE_ATTEMPTS = 10;
const REPLACE_PAUSE_MS = 50;

/**
 * Renames `from` over `to`. On Windows a rename onto a file that is open elsewhere fails for
 * a moment (several kubectl runs reading the token cache at once, a scanner looking at a new
 * file): it is tried again for about half a second, as graceful-fs does, before giving up.
 * Elsewhere a rename over an open file just works, and an error is real at once.
 */
export function replaceFile(
  from: string,
  to: string,
  rename: (from: string, to: string) => void = renameSync,
  platform: NodeJS.Platform = process.platform,
): void {
  for (let attempt = 1; ; attempt++) {
    try {
      rename(from, to);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "";
      if (platform !== "win32" || !BUSY_ON_WINDOWS.has(code) || attempt >= REPLACE_ATTEMPTS) throw err;
      // A synchronous pause: the cache's writers are synchronous, and this is Windows' slow path.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, REPLACE_PAUSE_MS);
    }
  }
}
