import type { IncomingHttpHeaders } from "node:http";

// RFC 9110 §7.6.1 plus the de-facto ones; each applies to one hop only.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** kubectl and browsers may put a bearer token in the WebSocket subprotocol list instead of a header. */
const BEARER_SUBPROTOCOL = /^base64url\.bearer\.authorization\.k8s\.io\./;

export function hasImpersonation(headers: IncomingHttpHeaders): boolean {
  return Object.keys(headers).some((name) => name.startsWith("impersonate-"));
}

/**
 * The headers to send upstream: hop-by-hop ones (and those the Connection header names)
 * removed, except the Upgrade pair for an upgrade; the client's credentials replaced by the
 * one the gateway chose; token-carrying subprotocols dropped.
 */
export function upstreamHeaders(
  headers: IncomingHttpHeaders,
  authorization: string,
  upgrade: boolean,
): IncomingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? "")
      .split(",")
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === "authorization" || name === "cookie") continue;
    if (
      (HOP_BY_HOP.has(name) || named.has(name)) &&
      !(upgrade && (name === "upgrade" || name === "connection"))
    ) {
      continue;
    }
    out[name] = value;
  }
  const protocols = headers["sec-websocket-protocol"];
  if (typeof protocols === "string") {
    const kept = protocols
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p && !BEARER_SUBPROTOCOL.test(p));
    if (kept.length > 0) out["sec-websocket-protocol"] = kept.join(", ");
    else delete out["sec-websocket-protocol"];
  }
  if (upgrade) out.connection = "Upgrade";
  out.authorization = authorization;
  return out;
}

const SECRET_PARAM = /token|secret|password|auth/i;

/** The query string for the audit record, with anything that may carry a secret masked. */
export function auditQuery(query: URLSearchParams): string {
  const masked = new URLSearchParams();
  for (const [name, value] of query) masked.append(name, SECRET_PARAM.test(name) ? "[redacted]" : value);
  return masked.toString();
}
