import type { Clock } from "../shared/clock.ts";
import type { Lease } from "../shared/lease.ts";
import { LeasedLoop } from "../shared/leased-loop.ts";
import type { Logger } from "../shared/logger.ts";
import type { ClusterApi, ManagedObject } from "./cluster-api.ts";
import type { Grant } from "./grant.ts";
import type { GrantCluster } from "./grant-cluster.ts";
import type { GrantService } from "./grant-service.ts";
import type { GrantStore } from "./grant-store.ts";

export interface ReconcilerOptions {
  store: GrantStore;
  grants: GrantService;
  clusters: Map<string, GrantCluster>;
  lease: Lease;
  clock: Clock;
  logger: Logger;
}

const INTERVAL_MS = 60_000;
/** A grant still pending after this long was abandoned by a crashed replica. */
const STUCK_PENDING_MS = 5 * 60_000;
/** Objects or grants looked at between two turns of the event loop. */
const YIELD_EVERY = 500;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface ReconcileReport {
  deletedObjects: number;
  endedGrants: number;
}

/**
 * Makes the clusters agree with Redis, whatever crashed in between: deletes every labelled
 * object whose grant is not open, and ends every active grant whose objects are gone. Runs at
 * start and periodically, under a lease so only one replica acts.
 */
export class Reconciler {
  readonly #options: ReconcilerOptions;
  readonly #loop: LeasedLoop;

  constructor(options: ReconcilerOptions) {
    this.#options = options;
    this.#loop = new LeasedLoop({
      lease: options.lease,
      intervalMs: INTERVAL_MS,
      pass: () => this.runOnce(),
      logger: options.logger,
      what: "reconcile",
    });
  }

  start(): void {
    this.#loop.start();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /** One pass over every cluster. Exposed for tests and for `serve` at start-up. */
  async runOnce(): Promise<ReconcileReport> {
    const report: ReconcileReport = { deletedObjects: 0, endedGrants: 0 };
    for (const cluster of this.#options.clusters.values()) {
      try {
        await this.#reconcileCluster(cluster, report);
      } catch (err) {
        this.#options.logger.warn({ cluster: cluster.config.name, err }, "could not reconcile cluster");
      }
    }
    return report;
  }

  async #reconcileCluster(cluster: GrantCluster, report: ReconcileReport): Promise<void> {
    const { store } = this.#options;
    // Grants that became active after this instant may own objects the listing missed.
    const listedAt = this.#options.clock.now();
    const objects = await cluster.api.listManaged(cluster.config.grantsNamespace);
    // The objects by grant, and the open grants by id only: the pass stays linear in grants +
    // objects and holds one page of grants at a time, not ten thousand of them.
    const byGrant = new Map<string, ManagedObject[]>();
    for (const object of objects) {
      const mine = byGrant.get(object.grantId);
      if (mine) mine.push(object);
      else byGrant.set(object.grantId, [object]);
    }
    const open = new Set(await store.openIds());

    let step = 0;
    for (const [grantId, owned] of byGrant) {
      if (++step % YIELD_EVERY === 0) await yieldToEventLoop();
      if (open.has(grantId)) continue;
      const grant = await store.get(grantId); // opened since the listing, or ended and kept
      if (grant && grant.state !== "ended") continue;
      for (const object of owned) {
        await deleteObject(cluster.api, object);
        report.deletedObjects++;
        this.#options.logger.info({ cluster: cluster.config.name, ...object }, "deleted orphaned object");
      }
    }

    for await (const page of store.openPages(YIELD_EVERY)) {
      for (const grant of page) {
        if (grant.cluster === cluster.config.name)
          await this.#checkObjects(grant, byGrant.get(grant.id) ?? [], listedAt, report);
      }
    }
  }

  /** Ends an open grant whose objects are gone, or that never finished provisioning. */
  async #checkObjects(
    grant: Grant,
    owned: ManagedObject[],
    listedAt: number,
    report: ReconcileReport,
  ): Promise<void> {
    const { grants } = this.#options;
    if (grant.state === "pending-provision") {
      if (listedAt - grant.createdAt > STUCK_PENDING_MS) {
        await grants.end(
          grant,
          "provision-failed",
          "provisioning never finished (the broker stopped mid-way)",
        );
        report.endedGrants++;
      }
      return;
    }
    if ((grant.activatedAt ?? grant.createdAt) >= listedAt) return;
    const missing = missingObjects(grant, owned);
    if (missing.length > 0) {
      await grants.end(grant, "orphaned", `missing in the cluster: ${missing.join(", ")}`);
      report.endedGrants++;
    }
  }
}

/** `objects`: the grant's own (labelled with its id). */
function missingObjects(grant: Grant, objects: ManagedObject[]): string[] {
  const mine = objects.filter((o) => o.name === grant.serviceAccount.name);
  const has = (kind: ManagedObject["kind"], namespace: string, uid?: string) =>
    mine.some((o) => o.kind === kind && o.namespace === namespace && (!uid || o.uid === uid));
  const missing: string[] = [];
  if (!has("ServiceAccount", grant.serviceAccount.namespace, grant.serviceAccount.uid)) {
    missing.push(`ServiceAccount ${grant.serviceAccount.namespace}/${grant.serviceAccount.name}`);
  }
  if (grant.clusterWide) {
    if (!has("ClusterRoleBinding", "")) missing.push(`ClusterRoleBinding ${grant.serviceAccount.name}`);
  } else if (!grant.namespacePatterns) {
    // A grant that follows patterns loses a binding with its namespace: the sync's business.
    for (const namespace of grant.namespaces) {
      if (!has("RoleBinding", namespace))
        missing.push(`RoleBinding ${namespace}/${grant.serviceAccount.name}`);
    }
  }
  return missing;
}

async function deleteObject(api: ClusterApi, object: ManagedObject): Promise<void> {
  switch (object.kind) {
    case "ServiceAccount":
      return api.deleteServiceAccount({ namespace: object.namespace, name: object.name });
    case "RoleBinding":
      return api.deleteRoleBinding(object.namespace, object.name);
    case "ClusterRoleBinding":
      return api.deleteClusterRoleBinding(object.name);
  }
}
