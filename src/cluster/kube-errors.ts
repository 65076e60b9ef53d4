import {
  BadGateway,
  BadRequest,
  BrokerError,
  Conflict,
  GatewayTimeout,
  Invalid,
  NotFound,
  Unavailable,
} from "../shared/errors.ts";

/** The API server refused a call: its HTTP status and its answer (a Status, as text). */
export class KubeApiError extends Error {
  readonly code: number;
  readonly body: string;

  constructor(code: number, body: string) {
    super(`HTTP ${code}: ${statusMessage(body) ?? "no message"}`);
    this.name = "KubeApiError";
    this.code = code;
    this.body = body;
  }
}

/**
 * Maps a Kubernetes API failure to the product's typed errors, keeping the cluster's own
 * message (which names the object) and prefixing which cluster said it. The broker's own
 * credentials failing (401/403 from the cluster) is a broker configuration problem, so it
 * surfaces as 502 with the cluster's words rather than as the caller's 401/403.
 */
export function fromKubeError(err: unknown, cluster: string, action: string): BrokerError {
  if (err instanceof BrokerError) return err;
  if (err instanceof KubeApiError) {
    const message = `cluster "${cluster}" refused to ${action}: ${statusMessage(err.body) ?? `HTTP ${err.code}`}`;
    switch (err.code) {
      case 400:
        return new BadRequest(message);
      case 401:
        return new BadGateway(`${message} (check the broker's credentials for this cluster)`);
      case 403:
        return new BadGateway(`${message} (the broker lacks this permission; see deploy/)`);
      case 404:
        return new NotFound(message);
      case 409:
        return new Conflict(message);
      case 422:
        return new Invalid(message);
      case 429:
        return new Unavailable(message);
      case 504:
        return new GatewayTimeout(message);
      default:
        return new BadGateway(message);
    }
  }
  const code =
    (err as { code?: string; cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code;
  return new Unavailable(`cluster "${cluster}" could not be reached to ${action}${code ? ` (${code})` : ""}`);
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.code === 404;
}

export function statusMessage(body: unknown): string | undefined {
  const parsed = typeof body === "string" ? safeParse(body) : body;
  const message = (parsed as { message?: unknown } | undefined)?.message;
  return typeof message === "string" ? message : undefined;
}

export function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
