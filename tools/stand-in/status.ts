/**
 * Kubernetes `Status` errors, worded like k8s.io/apimachinery/pkg/api/errors so that clients
 * (kubectl, client-go, @kubernetes/client-node, the broker) see what a real API server says.
 */

export type StatusReason =
  /** StatusReasonUnknown: what a plain Go error becomes; omitted from the Status. */
  | ""
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Invalid"
  | "MethodNotAllowed"
  | "Gone"
  | "Expired"
  | "UnsupportedMediaType"
  | "NotAcceptable"
  | "RequestEntityTooLarge"
  | "InternalError"
  | "NonZeroExitCode";

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
}

export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Success" | "Failure";
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  /** Omitted on success, like Go's `omitempty`. */
  code?: number;
}

export class StatusError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): Status {
    const status: Status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (!this.reason) delete status.reason;
    if (this.details) status.details = dropEmpty(this.details);
    return status;
  }
}

/** Go's `omitempty`: the real server never sends `"group": ""`. */
function dropEmpty(details: StatusDetails): StatusDetails {
  return Object.fromEntries(
    Object.entries(details).filter(([, value]) => value !== "" && value !== undefined),
  ) as StatusDetails;
}

/** `schema.GroupResource.String()`: "pods", "roles.rbac.authorization.k8s.io". */
export function qualified(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

export function notFound(resource: string, group: string, name: string): StatusError {
  return new StatusError(404, "NotFound", `${qualified(resource, group)} "${name}" not found`, {
    name,
    group,
    kind: resource,
  });
}

export function alreadyExists(resource: string, group: string, name: string): StatusError {
  return new StatusError(409, "AlreadyExists", `${qualified(resource, group)} "${name}" already exists`, {
    name,
    group,
    kind: resource,
  });
}

export function conflict(resource: string, group: string, name: string, why: string): StatusError {
  return new StatusError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": ${why}`,
    { name, group, kind: resource },
  );
}

export function forbidden(resource: string, group: string, name: string, why: string): StatusError {
  const message = resource
    ? `${qualified(resource, group)}${name ? ` "${name}"` : ""} is forbidden: ${why}`
    : `forbidden: ${why}`;
  return new StatusError(403, "Forbidden", message, { name, group, kind: resource });
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, "BadRequest", message);
}

export function unauthorized(): StatusError {
  return new StatusError(401, "Unauthorized", "Unauthorized");
}

export function methodNotAllowed(): StatusError {
  return new StatusError(
    405,
    "MethodNotAllowed",
    "the server does not allow this method on the requested resource",
    {},
  );
}

export function resourceNotFound(): StatusError {
  return new StatusError(404, "NotFound", "the server could not find the requested resource", {});
}

export function gone(message: string): StatusError {
  return new StatusError(410, "Expired", message);
}

/** One entry of a `field.ErrorList`. */
export interface FieldError {
  type: string;
  field: string;
  /** `ErrorBody()`: the text after "field: ". */
  body: string;
}

/** Go's `%#v`-ish rendering used by field errors: strings quoted, numbers bare. */
function renderValue(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value ?? null);
}

export function fieldInvalid(field: string, value: unknown, detail: string): FieldError {
  return { type: "FieldValueInvalid", field, body: `Invalid value: ${renderValue(value)}: ${detail}` };
}

export function fieldRequired(field: string, detail = ""): FieldError {
  return { type: "FieldValueRequired", field, body: detail ? `Required value: ${detail}` : "Required value" };
}

export function fieldNotSupported(field: string, value: unknown, supported: string[]): FieldError {
  const list = supported.map((v) => JSON.stringify(v)).join(", ");
  return {
    type: "FieldValueNotSupported",
    field,
    body: `Unsupported value: ${renderValue(value)}: supported values: ${list}`,
  };
}

export function fieldForbidden(field: string, detail: string): FieldError {
  return { type: "FieldValueForbidden", field, body: `Forbidden: ${detail}` };
}

/** `errors.NewInvalid`: `ConfigMap "x" is invalid: metadata.name: Invalid value: …`. */
export function invalid(kind: string, group: string, name: string, errors: FieldError[]): StatusError {
  const rendered = errors.map((e) => `${e.field}: ${e.body}`);
  const summary = rendered.length === 1 ? rendered[0] : `[${rendered.join(", ")}]`;
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  return new StatusError(422, "Invalid", `${qualifiedKind} "${name}" is invalid: ${summary}`, {
    name,
    group,
    kind,
    causes: errors.map((e) => ({ reason: e.type, message: e.body, field: e.field })),
  });
}

export function successStatus(details?: StatusDetails): Status {
  const status: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success" };
  if (details) status.details = dropEmpty(details);
  return status;
}

/** Anything thrown below the HTTP layer, as a StatusError (unknown errors become a 500). */
export function asStatusError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new StatusError(500, "InternalError", `Internal error occurred: ${message}`);
}
