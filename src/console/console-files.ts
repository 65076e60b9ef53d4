import { readFile, stat } from "node:fs/promises";
import { basename, dirname, extname, join, resolve, sep } from "node:path";
import { NotFound, Unavailable } from "../shared/errors.ts";

/**
 * Where the built console is: next to the running module's bundle (`dist/kube-broker.js` →
 * `dist/ui`), or, when the broker runs from source (this file in `src/console/`), the
 * repository's `dist/ui`; `npm run build` writes it either way. Never `src/console/ui`: that
 * holds the console's sources, which a browser cannot run.
 */
export function defaultConsoleDir(moduleDir: string = import.meta.dirname): string {
  const fromSource = basename(moduleDir) === "console" && basename(dirname(moduleDir)) === "src";
  return fromSource ? resolve(moduleDir, "../../dist/ui") : join(moduleDir, "ui");
}

/** One segment of an asset path: no dot first (so no `..`), no slash, nothing to escape. */
const ASSET_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/;

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".txt": "text/plain; charset=utf-8",
};

export interface ConsoleFile {
  body: Buffer;
  contentType: string;
}

/**
 * The built console on disk, read on each request: the files are small, the page is fetched
 * once per visit, and a rebuilt console (npm run build while the broker runs) is served at once.
 */
export class ConsoleFiles {
  readonly #dir: string;
  readonly #assets: string;

  constructor(options: { dir: string }) {
    this.#dir = resolve(options.dir);
    this.#assets = join(this.#dir, "assets");
  }

  /** Throws a 503 when the console was never built, so a person sees why rather than a 404. */
  async checkBuilt(): Promise<void> {
    const built = await stat(join(this.#dir, "index.html")).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!built) throw new Unavailable("the web console was not built: run npm run build");
  }

  async index(): Promise<ConsoleFile> {
    await this.checkBuilt();
    return { body: await readFile(join(this.#dir, "index.html")), contentType: "text/html; charset=utf-8" };
  }

  /**
   * An asset by the raw (still percent-encoded) path after /ui/assets/. Each segment is
   * decoded and must be a plain name, and the result must still lie under assets/: so
   * `..`, `%2e%2e`, `%2f` and the like never reach the file system.
   */
  async asset(rawPath: string): Promise<ConsoleFile> {
    await this.checkBuilt();
    const missing = new NotFound(`no such console asset: ${rawPath.slice(0, 200)}`);
    const segments: string[] = [];
    for (const raw of rawPath.split("/")) {
      let segment: string;
      try {
        segment = decodeURIComponent(raw);
      } catch {
        throw missing;
      }
      if (!ASSET_SEGMENT.test(segment)) throw missing;
      segments.push(segment);
    }
    const file = resolve(this.#assets, ...segments);
    if (!file.startsWith(this.#assets + sep)) throw missing;
    const body = await readFile(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT" || err.code === "EISDIR" || err.code === "ENOTDIR") throw missing;
      throw err;
    });
    return { body, contentType: CONTENT_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream" };
  }
}
