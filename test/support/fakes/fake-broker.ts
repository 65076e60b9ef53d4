import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SessionStore } from "../../../src/cli/cache/session-store.ts";
import { runCli } from "../../../src/cli/run-cli.ts";
import { fakeContext } from "./fake-cli-context.ts";

export type Answer =
  | { status?: number; body: unknown }
  | ((body: unknown) => { status?: number; body: unknown });

export interface FakeBroker {
  url: string;
  /** What the CLI asked for: method, path with query, body. */
  asked: { method: string; path: string; body: unknown }[];
  close(): Promise<void>;
}

/**
 * The broker's API as canned answers over plain HTTP on loopback, for unit tests of CLI
 * commands: `routes` maps "METHOD /path" (no query) to an answer; anything else is a 404 Status.
 */
export async function fakeBroker(routes: Record<string, Answer>): Promise<FakeBroker> {
  const asked: FakeBroker["asked"] = [];
  const server = createServer(async (req, res) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    const body: unknown = text ? JSON.parse(text) : undefined;
    const path = req.url ?? "/";
    asked.push({ method: req.method ?? "GET", path, body });
    const route = routes[`${req.method} ${path.split("?")[0]}`];
    const answer = typeof route === "function" ? route(body) : route;
    const status = answer?.status ?? (answer ? 200 : 404);
    res.writeHead(status, { "content-type": "application/json" });
    res.end(
      JSON.stringify(
        answer ? answer.body : { kind: "Status", code: 404, reason: "NotFound", message: "no route" },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    asked,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A fake context signed in to `server` (a session in a cache directory of its own). */
export function signedInContext(server: string, options: Parameters<typeof fakeContext>[2] = {}) {
  const cacheDir = mkdtempSync(join(tmpdir(), "kb-cli-unit-"));
  new SessionStore(cacheDir).write({
    server,
    session: "kbs_test",
    expiresAt: "2030-01-01T00:00:00.000Z",
    principal: { name: "dev@example.com" },
  });
  const fake = fakeContext({ KUBE_BROKER_CACHE_DIR: cacheDir }, "/nonexistent", options);
  return { ...fake, cleanup: () => rmSync(cacheDir, { recursive: true, force: true }) };
}

/** Runs the CLI signed in to `server`: its exit code and what it printed. */
export async function runSignedIn(server: string, args: string[]) {
  const { ctx, printed, cleanup } = signedInContext(server);
  try {
    return { code: await runCli(args, ctx), ...printed };
  } finally {
    cleanup();
  }
}
