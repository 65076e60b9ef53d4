import type { LifecycleSink } from "../audit/index.ts";
import type { RoleConfig } from "../config/schema.ts";
import type { Clock } from "../shared/clock.ts";
import { Forbidden, NotFound } from "../shared/errors.ts";
import { randomId } from "../shared/ids.ts";
import type { Logger } from "../shared/logger.ts";
import type { ObjectRef } from "./cluster-api.ts";
import { type Grant, type GrantEndReason, serviceAccountName } from "./grant.ts";
import type { GrantCluster } from "./grant-cluster.ts";
import { publishGrantEvent } from "./grant-events.ts";
import { matchingNamespaces, type NewGrant, validateNewGrant } from "./grant-request.ts";
import type { GrantStore } from "./grant-store.ts";
import { deprovision, provision, provisionFailure } from "./provisioner.ts";

/** What the grant's holder created through the gateway (the audit feature knows). */
export interface GrantHistory {
  objectsCreatedBy(grantId: string, since: number): Promise<ObjectRef[]>;
}

export interface GrantServiceOptions {
  store: GrantStore;
  history: GrantHistory;
  clusters: Map<string, GrantCluster>;
  roles: RoleConfig[];
  clock: Clock;
  lifecycle: LifecycleSink;
  logger: Logger;
}

/**
 * The grant lifecycle: create (all-or-nothing provisioning), end (expiry, revoke, orphaned),
 * and lookups. Policy is decided by callers; this service enforces what is possible at all.
 */
export class GrantService {
  readonly #store: GrantStore;
  readonly #history: GrantHistory;
  readonly #clusters: Map<string, GrantCluster>;
  readonly #roles: Map<string, RoleConfig>;
  readonly #clock: Clock;
  readonly #lifecycle: LifecycleSink;
  readonly #logger: Logger;

  constructor(options: GrantServiceOptions) {
    this.#store = options.store;
    this.#history = options.history;
    this.#clusters = options.clusters;
    this.#roles = new Map(options.roles.map((r) => [r.name, r]));
    this.#clock = options.clock;
    this.#lifecycle = options.lifecycle;
    this.#logger = options.logger;
  }

  /** Creates and provisions a grant; it is active when this returns, or nothing is left behind. */
  async create(input: NewGrant): Promise<Grant> {
    const { cluster, role, namespaces } = validateNewGrant(input, this.#clusters, this.#roles);
    const patterns = input.namespacePatterns;
    const placed = patterns ? matchingNamespaces(await cluster.api.listNamespaces(), patterns) : namespaces;
    const now = this.#clock.now();
    const id = randomId(8);
    const pending: Grant = {
      id,
      version: 1,
      principal: input.principal,
      cluster: cluster.config.name,
      role: role.name,
      namespaces: role.scope === "cluster" ? [] : placed,
      ...(patterns ? { namespacePatterns: [...new Set(patterns)].sort() } : {}),
      clusterWide: role.scope === "cluster",
      origin: input.origin,
      reason: input.reason,
      ...(input.requestId ? { requestId: input.requestId } : {}),
      createdAt: now,
      expiresAt: now + input.ttlSeconds * 1000,
      state: "pending-provision",
      serviceAccount: {
        namespace: cluster.config.grantsNamespace,
        name: serviceAccountName(input.principal, id),
      },
    };
    await this.#store.create(pending);

    let uid: string;
    try {
      uid = await provision(cluster.api, pending, role);
    } catch (err) {
      await this.#finish(pending, "provision-failed", provisionFailure(err));
      throw err;
    }
    const active: Grant = {
      ...pending,
      version: pending.version + 1,
      state: "active",
      activatedAt: this.#clock.now(),
      serviceAccount: { ...pending.serviceAccount, uid },
    };
    if (!(await this.#store.compareAndSet(active))) {
      // Only a revoke can race a grant still being provisioned; it has already cleaned up.
      await deprovision(cluster.api, pending).catch(() => {});
      throw new Forbidden(`grant ${id} was ended while it was being created`);
    }
    await this.#publish("grant.started", active, input.reason);
    return active;
  }

  async get(id: string): Promise<Grant> {
    const grant = await this.#store.get(id);
    if (!grant) throw new NotFound(`grant "${id}" not found`);
    return grant;
  }

  listByPrincipal(subject: string): Promise<Grant[]> {
    return this.#store.listByPrincipal(subject);
  }

  listAll(options?: { includeEnded?: boolean }): Promise<Grant[]> {
    return this.#store.listAll(options);
  }

  /** Ends a grant now. Returns the ended grant (also when it had already ended). */
  async revoke(id: string, by: string): Promise<Grant> {
    return this.end(await this.get(id), "revoked", `revoked by ${by}`);
  }

  /**
   * Deletes the grant's objects (so the API server rejects its tokens) and marks it ended.
   * The compare-and-set makes the end happen exactly once however many replicas try; only
   * the winner emits the lifecycle event. If the cluster cannot be reached, the grant still
   * ends in Redis (the gateway refuses it at once) and the reconciler deletes the leftovers.
   */
  async end(grant: Grant, reason: GrantEndReason, detail: string): Promise<Grant> {
    let current: Grant | undefined = grant;
    while (current && current.state !== "ended") {
      const cluster = this.#clusters.get(current.cluster);
      let cleanup = "";
      if (cluster) {
        try {
          await deprovision(cluster.api, current);
        } catch (err) {
          cleanup = "; its objects could not be deleted yet and will be removed by the reconciler";
          this.#logger.warn({ grant: current.id, err: provisionFailure(err) }, "deprovision failed");
        }
      }
      const ended = await this.#finish(current, reason, detail + cleanup);
      if (ended) {
        if (cluster) await this.#cleanUp(cluster, ended);
        return ended;
      }
      current = await this.#store.get(grant.id);
    }
    return current ?? grant;
  }

  /**
   * Deletes what the grant created of the kinds its role lists for clean-up (as the audit
   * records show), once, by whoever ended it. A failure is logged: the grant has ended anyway.
   */
  async #cleanUp(cluster: GrantCluster, grant: Grant): Promise<void> {
    const kinds = this.#roles.get(grant.role)?.cleanup ?? [];
    if (kinds.length === 0) return;
    try {
      const created = await this.#history.objectsCreatedBy(grant.id, grant.createdAt);
      const doomed = created.filter((o) =>
        kinds.includes(o.apiGroup ? `${o.resource}.${o.apiGroup}` : o.resource),
      );
      for (const object of doomed) await cluster.api.deleteObject(object);
      if (doomed.length > 0) {
        const what = doomed
          .map((o) => `${o.resource}/${o.namespace ? `${o.namespace}/` : ""}${o.name}`)
          .join(", ");
        this.#logger.info({ grant: grant.id, deleted: what }, "deleted what the grant created");
      }
    } catch (err) {
      this.#logger.error({ grant: grant.id, err: String(err) }, "could not delete what the grant created");
    }
  }

  /** Marks a grant ended if nobody changed it meanwhile; returns it, or undefined on a lost race. */
  async #finish(grant: Grant, reason: GrantEndReason, detail: string): Promise<Grant | undefined> {
    const ended: Grant = {
      ...grant,
      version: grant.version + 1,
      state: "ended",
      endReason: reason,
      endedAt: this.#clock.now(),
      endDetail: detail,
    };
    if (!(await this.#store.compareAndSet(ended))) return undefined;
    await this.#publish("grant.ended", ended, `${reason}: ${detail}`);
    return ended;
  }

  #publish(event: "grant.started" | "grant.ended", grant: Grant, detail: string): Promise<void> {
    return publishGrantEvent(this.#lifecycle, this.#logger, event, grant, detail);
  }
}
