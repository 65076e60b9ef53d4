import { readFile } from "node:fs/promises";
import type { Config } from "../../config/schema.ts";
import type { Credential, Grant, NewGrant } from "../../grants/index.ts";
import type { Clock } from "../../shared/clock.ts";
import { BrokerError, Forbidden } from "../../shared/errors.ts";
import type { Logger } from "../../shared/logger.ts";
import { ciKubeconfig } from "./ci-kubeconfig.ts";
import type { CiTokenVerifier, VerifiedCiToken } from "./ci-token-verifier.ts";
import type { CiExchangeInput } from "./exchange-request.ts";
import { ciGrantTtl, ciPrincipal, ciReason } from "./grant-terms.ts";
import { matchCiRule } from "./rules.ts";

/** What the exchange needs from the grants feature (GrantService and CredentialIssuer fit). */
export interface CiGrantMaker {
  create(input: NewGrant): Promise<Grant>;
  end(grant: Grant, reason: "provision-failed", detail: string): Promise<Grant>;
}
export interface CiCredentialMinter {
  issue(grant: Grant): Promise<Credential>;
}

export interface CiExchangeResult {
  cluster: string;
  role: string;
  namespaces: string[];
  grant: { id: string; expiresAt: string };
  token: string;
  expirationTimestamp: string;
  kubeconfig: string;
}

export interface CiExchangeServiceOptions {
  config: Pick<Config, "ci" | "roles" | "server">;
  verifier: Pick<CiTokenVerifier, "verify" | "release">;
  grants: CiGrantMaker;
  credentials: CiCredentialMinter;
  clock: Clock;
  logger: Logger;
}

/**
 * CI token → grant → credential, all or nothing: a refusal creates nothing, and when the
 * broker fails after the token was spent, the grant it made is ended and the token's jti is
 * forgotten so the job can try again with the same token (GitLab hands a job just one).
 */
export class CiExchangeService {
  readonly #config: CiExchangeServiceOptions["config"];
  readonly #verifier: CiExchangeServiceOptions["verifier"];
  readonly #grants: CiGrantMaker;
  readonly #credentials: CiCredentialMinter;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(options: CiExchangeServiceOptions) {
    this.#config = options.config;
    this.#verifier = options.verifier;
    this.#grants = options.grants;
    this.#credentials = options.credentials;
    this.#clock = options.clock;
    this.#logger = options.logger;
  }

  async exchange(input: CiExchangeInput): Promise<CiExchangeResult> {
    let token: VerifiedCiToken | undefined;
    try {
      token = await this.#verifier.verify(input.token);
      return await this.#grantFor(token, input);
    } catch (err) {
      if (err instanceof BrokerError && err.code < 500) {
        this.#logger.info(
          { subject: token?.subject, reason: err.reason, why: err.message },
          "CI token refused",
        );
      } else if (token) {
        await this.#verifier.release(token).catch(() => {});
      }
      throw err;
    }
  }

  async #grantFor(token: VerifiedCiToken, input: CiExchangeInput): Promise<CiExchangeResult> {
    const rule = matchCiRule(this.#config, token.claims, { cluster: input.cluster });
    if (!rule) {
      const where = input.cluster ? `cluster "${input.cluster}"` : "any cluster";
      throw new Forbidden(`no CI rule lets ${token.subject.slice(0, 200)} use ${where}`);
    }
    const ttlSeconds = ciGrantTtl({
      rule,
      roleMaxTtl: this.#config.roles.find((r) => r.name === rule.role)?.maxTtl,
      token,
      requested: input.ttl,
      now: this.#clock.now(),
    });
    // Before the grant, so that an unreadable CA file leaves nothing behind.
    const caData = await this.#caData();
    const grant = await this.#grants.create({
      principal: ciPrincipal(token),
      cluster: rule.cluster,
      role: rule.role,
      namespaces: rule.namespaces,
      ttlSeconds,
      origin: "ci",
      reason: ciReason(rule, token),
    });
    let credential: Credential;
    try {
      credential = await this.#credentials.issue(grant);
    } catch (err) {
      await this.#grants
        .end(grant, "provision-failed", "the CI credential could not be issued")
        .catch(() => {});
      throw err;
    }
    this.#logger.info(
      {
        grant: grant.id,
        rule: rule.name,
        subject: grant.principal.subject,
        cluster: grant.cluster,
        ttlSeconds,
      },
      "CI token exchanged",
    );
    return {
      cluster: grant.cluster,
      role: grant.role,
      namespaces: grant.namespaces,
      grant: { id: grant.id, expiresAt: new Date(grant.expiresAt).toISOString() },
      token: credential.token,
      expirationTimestamp: new Date(credential.expiresAt).toISOString(),
      kubeconfig: ciKubeconfig({
        publicUrl: this.#config.server.publicUrl,
        cluster: grant.cluster,
        caData,
        token: credential.token,
        namespace: rule.namespaces[0],
      }),
    };
  }

  async #caData(): Promise<string | undefined> {
    const file = this.#config.server.caFile;
    // Read on each exchange: a rotated CA file is picked up without a restart.
    return file ? (await readFile(file)).toString("base64") : undefined;
  }
}
