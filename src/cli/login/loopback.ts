import { createHash, randomBytes } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { BrokerClient } from "../broker/broker-client.ts";
import { CliError } from "../cli-error.ts";
import type { Progress } from "../output/progress.ts";
import { asSessionBody, type SessionBody } from "./session-body.ts";

/**
 * The browser login (RFC 8252 loopback): listen on 127.0.0.1, send the person to the broker's
 * /v1/login/start with our PKCE challenge and state, and redeem the one-time code that comes
 * back to /callback with the verifier only this process holds.
 */
export interface LoopbackOptions {
  client: BrokerClient;
  /** Opens the URL in a browser; undefined to only print it (--no-browser). */
  open: ((url: string) => Promise<boolean>) | undefined;
  say(line: string): void;
  /** Shows the wait once the URL is out. */
  progress(): Progress;
  timeoutMs: number;
  /** The identity provider to sign in at; without one, the broker's page lists them. */
  idp?: string | undefined;
}

export async function loopbackLogin(options: LoopbackOptions): Promise<SessionBody> {
  const { client, say } = options;
  const verifier = randomBytes(32).toString("base64url");
  const state = randomBytes(24).toString("base64url");
  const listener = createServer();
  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(0, "127.0.0.1", resolve);
  });
  const redirectUri = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/callback`;
  let progress: Progress | undefined;
  try {
    const start = new URL(`${client.server}/v1/login/start`);
    start.search = new URLSearchParams({
      redirect_uri: redirectUri,
      code_challenge: createHash("sha256").update(verifier).digest("base64url"),
      code_challenge_method: "S256",
      state,
      ...(options.idp ? { idp: options.idp } : {}),
    }).toString();
    say(`To sign in, open this URL in a browser:\n\n    ${start.href}\n`);
    if (options.open && !(await options.open(start.href)))
      say("Could not start a browser; open the URL above.");
    progress = options.progress();
    return await new Promise<SessionBody>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new CliError(
              `the sign-in did not finish within ${options.timeoutMs / 1000}s; run kubectl broker login again`,
            ),
          ),
        options.timeoutMs,
      );
      listener.on("request", (req, res) => {
        const url = new URL(req.url ?? "/", redirectUri);
        if (url.pathname !== "/callback") return page(res, 404, "Not found.");
        // A callback for another login (an old tab) is not ours to fail on; keep waiting.
        if (url.searchParams.get("state") !== state)
          return page(res, 400, "This sign-in link is not the one kubectl-broker is waiting for.");
        const code = url.searchParams.get("code");
        const outcome = code
          ? client
              .post("/v1/login/token", { code, code_verifier: verifier, redirect_uri: redirectUri })
              .then(asSessionBody)
          : Promise.reject(refused(url.searchParams));
        outcome.then(
          (session) => {
            page(res, 200, "Signed in. You can close this tab and return to the terminal.");
            clearTimeout(timer);
            resolve(session);
          },
          (err: unknown) => {
            page(res, 400, `Sign-in failed: ${err instanceof Error ? err.message : String(err)}`);
            clearTimeout(timer);
            reject(err);
          },
        );
      });
    });
  } finally {
    progress?.done();
    listener.closeAllConnections();
    listener.close();
  }
}

function refused(query: URLSearchParams): CliError {
  const why = query.get("error_description") || query.get("error") || "no code came back";
  return new CliError(`the sign-in was refused: ${why}; run kubectl broker login again`);
}

function page(res: ServerResponse, status: number, text: string): void {
  const escaped = text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(`<!doctype html><title>kube-broker</title><p>${escaped}</p>`);
}
