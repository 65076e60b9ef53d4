import http, { type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import https from "node:https";
import { getCACertificates } from "node:tls";
import packageJson from "../../../package.json" with { type: "json" };
import { CliError } from "../cli-error.ts";

/**
 * One HTTP(S) request with the CLI's trust and error rules: extra CA certificates on top of
 * Node's defaults (which include NODE_EXTRA_CA_CERTS), a timeout, and failures turned into
 * one line that names what could not be reached. node:https rather than fetch, because
 * fetch cannot be given a CA without bundling undici.
 */
export interface HttpRequest {
  url: URL;
  method?: string;
  headers?: OutgoingHttpHeaders;
  body?: string;
  /** PEM certificates to trust besides the defaults. */
  ca?: string[];
  timeoutMs?: number;
  /** Ends the request, whatever stage it is at (completion's deadline). */
  signal?: AbortSignal;
  /** For messages: "kube-broker at https://…", "GitHub's ID token endpoint". */
  what: string;
}

const USER_AGENT = `kubectl-broker/${packageJson.version} node/${process.version}`;
const TLS_TRUST_ERRORS = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
  "CERT_UNTRUSTED",
]);

/**
 * Resolves with the response once its headers arrived, whatever the status. A named CA is
 * tried alone first, as kubectl trusts a kubeconfig's certificate-authority: putting Node's
 * 265 default roots beside it costs every exec-plugin run that fetches a token some 9 ms of
 * parsing. Only a broker whose certificate that CA does not vouch for (a public one, say) is
 * tried again with the defaults as well; the request never left the handshake, so it goes once.
 */
export async function openRequest(request: HttpRequest): Promise<IncomingMessage> {
  if (!request.ca?.length) return attempt(request, undefined);
  try {
    return await attempt(request, request.ca);
  } catch (err) {
    if (!isTrustError(err)) throw err;
    return attempt(request, [...getCACertificates("default"), ...request.ca]);
  }
}

function attempt(request: HttpRequest, ca: string[] | undefined): Promise<IncomingMessage> {
  const { url } = request;
  const transport = url.protocol === "https:" ? https : http;
  const headers: OutgoingHttpHeaders = { "user-agent": USER_AGENT, ...request.headers };
  if (request.body !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = Buffer.byteLength(request.body);
  }
  const timeoutMs = request.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, {
      method: request.method ?? "GET",
      headers,
      ...(ca ? { ca } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000}s`), { code: "ETIMEDOUT" })),
    );
    req.on("response", (res) => {
      req.setTimeout(0);
      resolve(res);
    });
    req.on("error", (err) => reject(unreachable(request.what, err)));
    req.end(request.body);
  });
}

/** The whole body as text (bounded: the broker's answers are small, a runaway one is cut). */
export async function readBody(res: IncomingMessage, limit = 32 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      res.destroy();
      throw new CliError(`the answer was larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A refusal as one line: a Kubernetes Status's message, or the HTTP status when there is none. */
export function refusal(what: string, status: number, text: string): CliError {
  let message: string | undefined;
  try {
    const body = JSON.parse(text) as { kind?: unknown; message?: unknown };
    if (typeof body.message === "string" && body.message !== "") message = body.message;
  } catch {
    // Not JSON (a proxy's error page): the status line says enough.
  }
  return new CliError(oneLine(message ?? `${what} answered HTTP ${status}`), { httpStatus: status });
}

function unreachable(what: string, err: Error & { code?: string }): CliError {
  const trust = err.code !== undefined && TLS_TRUST_ERRORS.has(err.code);
  const hint = trust
    ? "; if it uses a private CA, pass --certificate-authority FILE or set KUBE_BROKER_CA_FILE"
    : "";
  return new CliError(
    `cannot reach ${what}: ${oneLine(err.message || err.code || "connection failed")}${hint}`,
    {
      tlsTrust: trust,
    },
  );
}

function isTrustError(err: unknown): boolean {
  return err instanceof CliError && err.tlsTrust === true;
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
