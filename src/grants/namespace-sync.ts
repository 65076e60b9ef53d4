import type { LifecycleSink } from "../audit/index.ts";
import type { RoleConfig } from "../config/schema.ts";
import { Conflict } from "../shared/errors.ts";
import type { Lease } from "../shared/lease.ts";
import { LeasedLoop } from "../shared/leased-loop.ts";
import type { Logger } from "../shared/logger.ts";
import type { Grant } from "./grant.ts";
import type { GrantCluster } from "./grant-cluster.ts";
import { publishGrantEvent } from "./grant-events.ts";
import { matchingNamespaces } from "./grant-request.ts";
import type { GrantStore } from "./grant-store.ts";
import { objectMeta, roleRefOf } from "./provisioner.ts";

const INTERVAL_MS = 5000;

/**
 * Keeps grants that follow namespace patterns in step with their cluster: a new namespace
 * that matches gets the grant's RoleBinding, and one that was deleted (its binding went with
 * it) leaves the grant's list. One replica at a time, under a lease, every few seconds; each
 * change is a compare-and-set on the grant, recorded as a grant.updated lifecycle event.
 */
export class NamespaceSync {
  readonly #store: GrantStore;
  readonly #clusters: Map<string, GrantCluster>;
  readonly #roles: Map<string, RoleConfig>;
  readonly #lifecycle: LifecycleSink;
  readonly #logger: Logger;
  readonly #loop: LeasedLoop;

  constructor(options: {
    store: GrantStore;
    clusters: Map<string, GrantCluster>;
    roles: RoleConfig[];
    lease: Lease;
    lifecycle: LifecycleSink;
    logger: Logger;
  }) {
    this.#store = options.store;
    this.#clusters = options.clusters;
    this.#roles = new Map(options.roles.map((r) => [r.name, r]));
    this.#lifecycle = options.lifecycle;
    this.#logger = options.logger;
    this.#loop = new LeasedLoop({
      lease: options.lease,
      intervalMs: INTERVAL_MS,
      pass: () => this.runOnce(),
      logger: options.logger,
      what: "namespace sync",
    });
  }

  start(): void {
    this.#loop.start();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /** One pass over every active grant that follows patterns; returns how many changed. */
  async runOnce(): Promise<number> {
    const following = (await this.#store.listOpen()).filter(
      (g) => g.state === "active" && g.namespacePatterns,
    );
    let changed = 0;
    for (const [name, grants] of Map.groupBy(following, (g) => g.cluster)) {
      const cluster = this.#clusters.get(name);
      if (!cluster) continue;
      const namespaces = await cluster.api.listNamespaces();
      for (const grant of grants) {
        try {
          if (await this.#sync(cluster, grant, namespaces)) changed++;
        } catch (err) {
          this.#logger.warn({ grant: grant.id, err: String(err) }, "could not follow a grant's namespaces");
        }
      }
    }
    return changed;
  }

  async #sync(cluster: GrantCluster, grant: Grant, namespaces: string[]): Promise<boolean> {
    const role = this.#roles.get(grant.role);
    if (!role) return false;
    const want = matchingNamespaces(namespaces, grant.namespacePatterns!);
    const added = want.filter((n) => !grant.namespaces.includes(n));
    const removed = grant.namespaces.filter((n) => !want.includes(n));
    if (added.length === 0 && removed.length === 0) return false;
    const roleRef = roleRefOf(role);
    const bound: string[] = [];
    for (const namespace of added) {
      // A namespaced Role must exist where it is bound; a namespace without it is left out.
      if (roleRef.kind === "Role" && !(await cluster.api.roleExists(roleRef, namespace))) continue;
      try {
        await cluster.api.createRoleBinding(namespace, objectMeta(grant), roleRef, grant.serviceAccount);
      } catch (err) {
        // Made by an earlier pass whose compare-and-set then lost: it is ours all the same.
        if (!(err instanceof Conflict)) throw err;
      }
      bound.push(namespace);
    }
    const next: Grant = {
      ...grant,
      version: grant.version + 1,
      namespaces: want.filter((n) => grant.namespaces.includes(n) || bound.includes(n)),
    };
    if (!(await this.#store.compareAndSet(next))) return false;
    const change = [...bound.map((n) => `+${n}`), ...removed.map((n) => `-${n}`)].join(" ");
    await publishGrantEvent(this.#lifecycle, this.#logger, "grant.updated", next, `namespaces ${change}`);
    return true;
  }
}
