/**
 * Typed errors of the product. Every refusal is one of these; the HTTP layer renders them
 * once, as Kubernetes Status JSON. Following node-oidc-provider, a message reaches the client
 * only below 500 (or when a 5xx is marked safe to expose); anything else is "internal error".
 */

export type StatusReason =
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "Conflict"
  | "Invalid"
  | "TooManyRequests"
  | "InternalError"
  | "ServiceUnavailable"
  | "Timeout";

export interface StatusDetails {
  name?: string;
  kind?: string;
  causes?: { field: string; message: string; reason?: string }[];
  retryAfterSeconds?: number;
}

export interface BrokerErrorOptions {
  details?: StatusDetails;
  /** For 5xx: the message is safe to show the client (it names no internals). */
  expose?: boolean;
  cause?: unknown;
}

export class BrokerError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;
  readonly expose: boolean;

  constructor(code: number, reason: StatusReason, message: string, options: BrokerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = reason;
    this.code = code;
    this.reason = reason;
    this.details = options.details;
    this.expose = options.expose ?? code < 500;
  }
}

export class BadRequest extends BrokerError {
  constructor(message: string, options?: BrokerErrorOptions) {
    super(400, "BadRequest", message, options);
  }
}
export class Unauthorized extends BrokerError {
  constructor(message: string, options?: BrokerErrorOptions) {
    super(401, "Unauthorized", message, options);
  }
}
export class Forbidden extends BrokerError {
  constructor(message: string, options?: BrokerErrorOptions) {
    super(403, "Forbidden", message, options);
  }
}
export class NotFound extends BrokerError {
  constructor(message: string, options?: BrokerErrorOptions) {
    super(404, "NotFound", message, options);
  }
}
export class Conflict extends BrokerError {
  constructor(message: string, options?: BrokerErrorOptions) {
    super(409, "Conflict", message, options);
  }
}
export class Invalid extends BrokerError {
  constructor(message: string, options?: BrokerErrorOptions) {
    super(422, "Invalid", message, options);
  }
}
export class TooManyRequests extends BrokerError {
  constructor(message: string, retryAfterSeconds: number) {
    super(429, "TooManyRequests", message, { details: { retryAfterSeconds } });
  }
}
export class Unavailable extends BrokerError {
  constructor(message: string, options?: BrokerErrorOptions) {
    super(503, "ServiceUnavailable", message, { expose: true, ...options });
  }
}
export class BadGateway extends BrokerError {
  constructor(message: string, options?: BrokerErrorOptions) {
    super(502, "InternalError", message, { expose: true, ...options });
  }
}
export class GatewayTimeout extends BrokerError {
  constructor(message: string, options?: BrokerErrorOptions) {
    super(504, "Timeout", message, { expose: true, ...options });
  }
}

export interface KubernetesStatus {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure";
  message: string;
  reason: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** The Status JSON for any thrown value; unknown errors become an opaque 500. */
export function toStatus(err: unknown): KubernetesStatus {
  const known = err instanceof BrokerError ? err : undefined;
  const code = known?.code ?? 500;
  const status: KubernetesStatus = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: known?.expose ? known.message : "internal error",
    reason: known?.reason ?? "InternalError",
    code,
  };
  if (known?.expose && known.details) status.details = known.details;
  return status;
}
