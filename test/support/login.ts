import { createHash, randomBytes } from "node:crypto";
import { HeadlessBrowser } from "./browser.ts";

/**
 * What the CLI does for a loopback login, minus the browser window: PKCE verifier and state,
 * the browser trip through the broker and the IdP (headless), then redeeming the one-time
 * code. Returns the pieces so tests can also replay or tamper with them.
 */
export interface LoopbackTrip {
  code: string | null;
  state: string | null;
  error: string | null;
  verifier: string;
  expectedState: string;
  redirectUri: string;
}

export async function loopbackTrip(
  brokerUrl: string,
  login: string,
  redirectUri = "http://127.0.0.1:9/callback",
  /** The identity provider to sign in at, when the broker has several. */
  idp?: string,
): Promise<LoopbackTrip> {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const expectedState = randomBytes(16).toString("base64url");
  const start = new URL("/v1/login/start", brokerUrl);
  start.search = new URLSearchParams({
    redirect_uri: redirectUri,
    code_challenge: challenge,
    state: expectedState,
    ...(idp ? { idp } : {}),
  }).toString();
  const landed = await new HeadlessBrowser().visit(start, {
    login,
    stopAt: (url) => url.href.startsWith(redirectUri),
  });
  return {
    code: landed.url.searchParams.get("code"),
    state: landed.url.searchParams.get("state"),
    error: landed.url.searchParams.get("error"),
    verifier,
    expectedState,
    redirectUri,
  };
}

export async function redeem(
  brokerUrl: string,
  trip: LoopbackTrip,
  verifier = trip.verifier,
): Promise<Response> {
  return fetch(new URL("/v1/login/token", brokerUrl), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code: trip.code, code_verifier: verifier, redirect_uri: trip.redirectUri }),
  });
}

/** A full loopback login; returns the broker session secret. */
export async function loginAs(brokerUrl: string, login: string, idp?: string): Promise<string> {
  const trip = await loopbackTrip(brokerUrl, login, undefined, idp);
  const res = await redeem(brokerUrl, trip);
  if (!res.ok) throw new Error(`login as ${login} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { session: string }).session;
}

export function bearer(session: string): Record<string, string> {
  return { authorization: `Bearer ${session}`, "content-type": "application/json" };
}

/** One call to the broker's /v1 API as a signed-in person: its status and JSON body. */
export async function callApi<T>(
  url: string,
  session: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}/v1${path}`, {
    method,
    headers: bearer(session),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}
