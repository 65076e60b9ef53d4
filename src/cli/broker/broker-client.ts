import type { IncomingMessage } from "node:http";
import { CliError, LOGIN_HINT } from "../cli-error.ts";
import { openRequest, readBody, refusal } from "./http-request.ts";

export interface BrokerClientOptions {
  server: string;
  /** PEM certificates to trust for the broker, besides the defaults. */
  ca: string[];
  /**
   * A session secret or a grant's token, sent as the bearer token; or how to get it, asked at
   * the first request (a secret in the OS keyring is read only when a request needs it).
   */
  bearer?: string | (() => Promise<string>);
  /** Called when the broker refuses the bearer session (401): the stored copy is useless. */
  onSessionRefused?: () => void | Promise<void>;
}

/** The broker's JSON API; every refusal becomes a CliError carrying the Status message. */
export class BrokerClient {
  readonly server: string;
  readonly #ca: string[];
  /** The getter's promise once asked: several requests read the keyring once. */
  #bearer: BrokerClientOptions["bearer"] | Promise<string>;
  readonly #onSessionRefused: BrokerClientOptions["onSessionRefused"];

  constructor(options: BrokerClientOptions) {
    this.server = options.server;
    this.#ca = options.ca;
    this.#bearer = options.bearer;
    this.#onSessionRefused = options.onSessionRefused;
  }

  get<T>(path: string, options: { signal?: AbortSignal } = {}): Promise<T> {
    return this.request<T>("GET", path, undefined, options);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>("POST", path, body ?? {});
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>("DELETE", path);
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    options: { signal?: AbortSignal } = {},
  ): Promise<T> {
    const res = await this.open(path, {
      method,
      headers: { accept: "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...options,
    });
    const text = await readBody(res);
    if (res.statusCode === 204 || text === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(`kube-broker at ${this.server} answered with something other than JSON`);
    }
  }

  /** The response of a 2xx; anything else is read and thrown as the broker's refusal. */
  async open(
    path: string,
    options: {
      method?: string;
      headers?: Record<string, string>;
      body?: string;
      timeoutMs?: number;
      signal?: AbortSignal;
    } = {},
  ): Promise<IncomingMessage> {
    const what = `kube-broker at ${this.server}`;
    if (typeof this.#bearer === "function") this.#bearer = this.#bearer();
    const bearer = await this.#bearer;
    const res = await openRequest({
      url: new URL(`${this.server}${path}`),
      what,
      ca: this.#ca,
      ...options,
      headers: { ...options.headers, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    });
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return res;
    const err = refusal(what, status, await readBody(res));
    if (status !== 401 || !this.#onSessionRefused) throw err;
    await this.#onSessionRefused();
    throw err.message.includes(LOGIN_HINT)
      ? err
      : new CliError(`${err.message}; ${LOGIN_HINT}`, { httpStatus: 401 });
  }
}
