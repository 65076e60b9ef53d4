import { sha256 } from "../shared/ids.ts";
import type { Principal } from "../shared/principal.ts";
import { keyspace, type RedisClient } from "../shared/redis.ts";
import type { IdpIdentity } from "./oidc-client.ts";

/**
 * A login between the browser leaving for the IdP and coming back. A loopback login (no
 * `kind`: transactions stored before the console existed are all loopback ones) ends at the
 * CLI; a console login ends at the broker, which holds the only PKCE verifier itself.
 */
export type LoginTransaction = LoopbackTransaction | ConsoleTransaction;

export interface LoopbackTransaction {
  kind?: "loopback";
  /** The identity provider the login is at; absent in logins begun before there were several. */
  idp?: string;
  cliRedirect: string;
  cliState: string;
  cliChallenge: string;
  codeVerifier: string;
  nonce: string;
}

export interface ConsoleTransaction {
  kind: "console";
  idp?: string;
  /** The console path to land on once signed in (checked by consoleReturnPath). */
  returnTo: string;
  codeVerifier: string;
  nonce: string;
}

/** What a one-time code stands for until the CLI redeems it with its PKCE verifier. */
export interface PendingCode {
  identity: IdpIdentity;
  principal: Principal;
  cliRedirect: string;
  cliChallenge: string;
}

export interface PendingDevice {
  idpDeviceCode: string;
  intervalSeconds: number;
  idp?: string;
}

/**
 * Short-lived login state in Redis. Every entry is single-use (GETDEL) and expires by
 * itself; one-time codes and device codes are keyed by their SHA-256, never stored in clear.
 * The IdP state value keys the transaction: it is random, and the IdP echoes it back.
 */
export class LoginStore {
  readonly #redis: RedisClient;
  readonly #key: (...parts: string[]) => string;

  constructor(options: { redis: RedisClient; keyPrefix: string }) {
    this.#redis = options.redis;
    this.#key = keyspace(options.keyPrefix, "login");
  }

  async saveTransaction(state: string, tx: LoginTransaction, ttlSeconds: number): Promise<void> {
    await this.#redis.set(this.#key("tx", sha256(state)), JSON.stringify(tx), "EX", ttlSeconds);
  }

  takeTransaction(state: string): Promise<LoginTransaction | undefined> {
    return this.#take(this.#key("tx", sha256(state)));
  }

  async saveCode(code: string, pending: PendingCode, ttlSeconds: number): Promise<void> {
    await this.#redis.set(this.#key("code", sha256(code)), JSON.stringify(pending), "EX", ttlSeconds);
  }

  takeCode(code: string): Promise<PendingCode | undefined> {
    return this.#take(this.#key("code", sha256(code)));
  }

  async saveDevice(deviceCode: string, pending: PendingDevice, ttlSeconds: number): Promise<void> {
    await this.#redis.set(this.#key("device", sha256(deviceCode)), JSON.stringify(pending), "EX", ttlSeconds);
  }

  async getDevice(deviceCode: string): Promise<PendingDevice | undefined> {
    const json = await this.#redis.get(this.#key("device", sha256(deviceCode)));
    return json ? (JSON.parse(json) as PendingDevice) : undefined;
  }

  /** Ends a device login; true only for the one caller that got to it first. */
  async finishDevice(deviceCode: string): Promise<boolean> {
    return (await this.#redis.del(this.#key("device", sha256(deviceCode)))) === 1;
  }

  async #take<T>(key: string): Promise<T | undefined> {
    const json = await this.#redis.getdel(key);
    return json ? (JSON.parse(json) as T) : undefined;
  }
}
