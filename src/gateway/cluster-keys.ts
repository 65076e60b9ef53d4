import { request } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import type { Clock } from "../shared/clock.ts";

/** How long an unknown `kid` waits before the JWKS is fetched again (a forged kid costs little). */
const REFETCH_COOLDOWN_MS = 10_000;

/**
 * The cluster's service-account issuer and signing keys (issuer discovery and
 * /openid/v1/jwks), fetched with the broker's own credentials and the cluster's CA. Kept in
 * memory; refetched when a token names a key id the set does not have.
 */
export class ClusterKeys {
  readonly #kubeConfig: KubeConfig;
  readonly #clock: Clock;
  readonly #server: URL;
  #keys: { issuer: string; jwks: JWTVerifyGetKey; kids: Set<string> } | undefined;
  #fetching: Promise<void> | undefined;
  #fetchedAt = 0;

  constructor(options: { kubeConfig: KubeConfig; clock: Clock }) {
    this.#kubeConfig = options.kubeConfig;
    this.#clock = options.clock;
    this.#server = new URL(options.kubeConfig.getCurrentCluster()!.server);
  }

  /** The issuer and key set, refetched first when `kid` is unknown and the cooldown allows. */
  async forKid(kid: string | undefined): Promise<{ issuer: string; jwks: JWTVerifyGetKey }> {
    const known = this.#keys && (kid === undefined || this.#keys.kids.has(kid));
    if (!this.#keys || (!known && this.#clock.now() - this.#fetchedAt > REFETCH_COOLDOWN_MS))
      await this.#refresh();
    return this.#keys!;
  }

  #refresh(): Promise<void> {
    this.#fetching ??= (async () => {
      try {
        const discovery = (await this.#get("/.well-known/openid-configuration")) as { issuer?: string };
        const jwks = (await this.#get("/openid/v1/jwks")) as JSONWebKeySet;
        this.#keys = {
          issuer: discovery.issuer ?? "",
          jwks: createLocalJWKSet(jwks),
          kids: new Set(jwks.keys.map((k) => k.kid ?? "")),
        };
        this.#fetchedAt = this.#clock.now();
      } finally {
        this.#fetching = undefined;
      }
    })();
    return this.#fetching;
  }

  async #get(path: string): Promise<unknown> {
    const options: Parameters<typeof request>[1] = {
      method: "GET",
      headers: { accept: "application/json" },
    };
    await this.#kubeConfig.applyToHTTPSOptions(options);
    const url = new URL(path, this.#server);
    return new Promise((resolve, reject) => {
      const req = request(url, { ...options, timeout: 5000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          if (res.statusCode !== 200) return reject(new Error(`GET ${path} answered ${res.statusCode}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
          } catch (err) {
            reject(err);
          }
        });
      });
      req.on("timeout", () => req.destroy(new Error(`GET ${path} timed out`)));
      req.on("error", reject);
      req.end();
    });
  }
}
