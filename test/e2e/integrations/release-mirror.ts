/**
 * A download mirror on loopback: serves a directory's files as the GitHub releases page
 * serves release assets (<base>/v<version>/<archive>), and counts what was fetched.
 */
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { join, normalize } from "node:path";
import { freePort } from "../../../tools/free-port.ts";

export interface ReleaseMirror {
  url: string;
  /** Paths fetched so far, in order. */
  fetched: string[];
  close(): Promise<void>;
}

export async function startReleaseMirror(dir: string): Promise<ReleaseMirror> {
  const fetched: string[] = [];
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://mirror").pathname));
    fetched.push(path);
    readFile(join(dir, path)).then(
      (body) => res.writeHead(200, { "content-type": "application/octet-stream" }).end(body),
      () => res.writeHead(404).end("Not Found"),
    );
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    fetched,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
