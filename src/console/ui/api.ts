/**
 * The console's one way to the API: same-origin fetch with the console cookie, the CSRF token
 * on every call that changes something, and every refusal read once from its Kubernetes Status
 * into an ApiError, so a page shows the API's own words (and a field's cause next to the field).
 * Plain TypeScript without DOM globals: the unit tests run it under Node with a fake fetch.
 */

export interface StatusCause {
  /** The field's path as the API names it: "cluster", "namespaces.0", or "(body)". */
  field: string;
  message: string;
}

/** A refused call: the Status's code, reason, message and causes. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly causes: StatusCause[];

  constructor(options: { code: number; reason: string; message: string; causes?: StatusCause[] }) {
    super(options.message);
    this.name = "ApiError";
    this.code = options.code;
    this.reason = options.reason;
    this.causes = options.causes ?? [];
  }
}

/**
 * The error for an answer that is not 2xx: its Status when the body is one, or the HTTP status
 * line when something in between (a proxy, a load balancer) answered in its own words.
 */
export function statusError(httpStatus: number, statusText: string, body: unknown): ApiError {
  const status = isRecord(body) ? body : {};
  const details = isRecord(status.details) ? status.details : {};
  const causes = Array.isArray(details.causes)
    ? details.causes.filter(isRecord).map((cause) => ({
        field: typeof cause.field === "string" ? cause.field : "",
        message: typeof cause.message === "string" ? cause.message : "",
      }))
    : [];
  const message =
    typeof status.message === "string" && status.message !== ""
      ? status.message
      : `the broker answered ${httpStatus}${statusText ? ` ${statusText}` : ""}`;
  return new ApiError({
    code: typeof status.code === "number" ? status.code : httpStatus,
    reason: typeof status.reason === "string" ? status.reason : "",
    message,
    causes: causes.filter((cause) => cause.message !== ""),
  });
}

export interface ApiDeps {
  fetch: typeof fetch;
  /** The session's CSRF token, once the console session is known. */
  csrfToken: () => string | undefined;
  /** Any 401: the session ended or never was; the console sends the browser to sign in. */
  onUnauthorized: () => void;
}

export interface Api {
  get<T>(path: string): Promise<T>;
  /** A GET whose answer is a file rather than JSON (a session's asciicast); a refusal is still a Status. */
  getText(path: string): Promise<string>;
  post<T>(path: string, body?: unknown): Promise<T>;
  delete<T>(path: string): Promise<T>;
}

export function createApi(deps: ApiDeps): Api {
  async function send(method: string, path: string, accept: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { Accept: accept };
    if (method !== "GET") {
      headers["Content-Type"] = "application/json";
      const token = deps.csrfToken();
      if (token) headers["X-CSRF-Token"] = token;
    }
    let response: Response;
    try {
      response = await deps.fetch(path, {
        method,
        headers,
        credentials: "same-origin",
        ...(method !== "GET" ? { body: JSON.stringify(body ?? {}) } : {}),
      });
    } catch {
      throw new ApiError({ code: 0, reason: "NetworkError", message: "the broker could not be reached" });
    }
    return response;
  }
  /** The body, read to its end first; a 401 sends the person to sign in; a refusal throws. */
  async function read(response: Response, parse: (text: string) => unknown): Promise<unknown> {
    const text = await response.text();
    if (response.status === 401) deps.onUnauthorized();
    if (!response.ok) throw statusError(response.status, response.statusText, parseJson(text));
    return parse(text);
  }
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await send(method, path, "application/json", body);
    return (await read(response, parseJson)) as T;
  }
  async function getText(path: string): Promise<string> {
    return (await read(await send("GET", path, "*/*"), (text) => text)) as string;
  }
  return {
    get: (path) => call("GET", path),
    getText,
    post: (path, body) => call("POST", path, body),
    delete: (path) => call("DELETE", path),
  };
}

// Every body is read to its end, even an empty one: a body left open is cancelled (and
// reported as a failed request) when the page navigates away, as it does right after sign-out.
function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Where the browser goes to sign in, coming back to `pathAndQuery` afterwards. */
export function loginUrl(pathAndQuery: string): string {
  return `/ui/login?return=${encodeURIComponent(pathAndQuery)}`;
}
