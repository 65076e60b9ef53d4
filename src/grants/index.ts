/**
 * Grants: access that ends by itself. A grant is a ServiceAccount in the grants namespace and
 * one binding per namespace (or one cluster-wide), made all-or-nothing and deleted at the
 * deadline, on revoke, or by the reconciler when Redis and the cluster disagree
 * (DESIGN.md "How access maps onto Kubernetes").
 *
 * It owns the grants in Redis (the {grants} hash tag), the objects labelled
 * kube-broker.io/grant in each cluster, TokenRequest credentials for active grants, and the
 * credentials and grants API (POST /v1/credentials, /v1/grants), and suspended standing access
 * (the {suspensions} hash tag, /v1/suspensions). Policy is asked by callers;
 * this feature enforces what is possible at all. Other features reach it through the
 * members of `Grants`, each behind an interface of their own.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { Feature } from "../http/feature.ts";
import type { Credential } from "./credential-issuer.ts";
import type { Grant, GrantEndReason } from "./grant.ts";
import type { NewGrant } from "./grant-request.ts";
import { grantRoutes } from "./grant-routes.ts";
import { type GrantsDeps, wireGrants } from "./grants-wiring.ts";
import type { ReconcileReport } from "./reconciler.ts";
import { suspensionRoutes } from "./suspension-routes.ts";
import type { Suspension } from "./suspension-store.ts";

export type {
  ClusterApi,
  IssuedToken,
  ManagedKind,
  ManagedObject,
  ObjectMeta,
  ObjectRef,
  RoleRef,
  ServiceAccountRef,
} from "./cluster-api.ts";
export type { Credential } from "./credential-issuer.ts";
export {
  GRANT_LABEL,
  type Grant,
  type GrantEndReason,
  type GrantOrigin,
  grantKind,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  MANAGED_SELECTOR,
} from "./grant.ts";
export { type GrantCluster, gatewayAudience } from "./grant-cluster.ts";
export type { NewGrant } from "./grant-request.ts";
export { type GrantView, grantView } from "./grant-view.ts";
export type { GrantsDeps } from "./grants-wiring.ts";
export type { ReconcileReport } from "./reconciler.ts";
export { type SuspensionView, suspensionView } from "./suspension-routes.ts";
export type { Suspension } from "./suspension-store.ts";

export interface Grants extends Feature {
  /** Creates and provisions a grant: active when this returns, or nothing is left behind. */
  create(input: NewGrant): Promise<Grant>;
  /** Ends a grant now (idempotent); `revoke` is the same for a person's or a token's revoke. */
  end(grant: Grant, reason: GrantEndReason, detail: string): Promise<Grant>;
  revoke(id: string, by: string): Promise<Grant>;
  findByServiceAccount(cluster: string, serviceAccountName: string): Promise<Grant | undefined>;
  findById(id: string): Promise<Grant | undefined>;
  /** Grants not yet ended (pending or active), on every replica. */
  listOpen(): Promise<Grant[]>;
  /** Calls back with every grant that ends on any replica; `onResync` when some may have been missed. */
  subscribeEnded(onEnded: (grantId: string) => void, onResync: () => void): Promise<() => Promise<void>>;
  /** A token for the grant's holder, with the audience its cluster hands out. */
  issue(grant: Grant): Promise<Credential>;
  /** The API-audience token the gateway forwards with; cached, never handed out. */
  apiToken(grant: Grant): Promise<string>;
  forgetApiToken(grantId: string): void;
  /** One reconcile pass now, whoever holds the lease. */
  reconcile(): Promise<ReconcileReport>;
  /**
   * Suspends a person's standing access to a cluster until an admin lifts it (kept as it was
   * if already suspended) and ends their active standing grants there; idempotent.
   */
  suspendStanding(suspension: Suspension): Promise<{ created: boolean; ended: Grant[] }>;
  findSuspension(cluster: string, user: string): Promise<Suspension | undefined>;
  /** A person's active standing grants on a cluster: what suspending them would end. */
  standingGrantsOf(cluster: string, user: string): Promise<Grant[]>;
}

export function createGrants(deps: GrantsDeps & { metrics: Registry }): Grants {
  const { store, grants, issuer, access, suspensions, expiry, reconciler, namespaceSync } = wireGrants(deps);
  const logger = deps.logger.child({ feature: "grants" });
  openGrantsGauge(deps.metrics, () => store.countOpen(), logger);
  return {
    create: (input) => grants.create(input),
    end: (grant, reason, detail) => grants.end(grant, reason, detail),
    revoke: (id, by) => grants.revoke(id, by),
    findByServiceAccount: (cluster, name) => store.findByServiceAccount(cluster, name),
    findById: (id) => store.get(id),
    listOpen: () => store.listOpen(),
    subscribeEnded: (onEnded, onResync) => store.subscribeEnded(onEnded, onResync),
    issue: (grant) => issuer.issue(grant),
    apiToken: (grant) => issuer.apiToken(grant),
    forgetApiToken: (grantId) => issuer.forget(grantId),
    reconcile: () => reconciler.runOnce(),
    suspendStanding: (suspension) => suspensions.suspend(suspension),
    findSuspension: (cluster, user) => suspensions.find(cluster, user),
    standingGrantsOf: (cluster, user) => suspensions.standingGrantsOf(cluster, user),
    routes: (api) => [
      grantRoutes({
        access,
        grants,
        history: deps.history,
        requireSession: api.requireSession,
        tokenLimit: api.rateLimit("token", deps.config.limits.rateLimits.token.perMinute, "principal"),
        isAdmin: api.isAdmin,
      }),
      suspensionRoutes({ suspensions, requireSession: api.requireSession, isAdmin: api.isAdmin }),
    ],
    start: async () => {
      expiry.start();
      reconciler.start();
      namespaceSync.start();
    },
    stop: async () => {
      await Promise.all([expiry.stop(), reconciler.stop(), namespaceSync.stop()]);
    },
  };
}

/**
 * Open grants across all replicas, read from Redis once per scrape. When Redis cannot answer
 * the gauge says NaN (unknown), not 0, and the failure is logged and counted — in the same
 * scrape: prom-client collects every metric at once, so both wait for the one read.
 */
function openGrantsGauge(
  metrics: Registry,
  countOpen: () => Promise<number>,
  logger: GrantsDeps["logger"],
): void {
  let scrape: Promise<number> | undefined;
  const read = () => {
    scrape ??= countOpen()
      .catch((err: unknown) => {
        failures.inc();
        logger.warn({ err: String(err) }, "could not count open grants for /metrics");
        return Number.NaN;
      })
      .finally(() => {
        scrape = undefined;
      });
    return scrape;
  };
  const failures = new Counter({
    name: "kube_broker_grants_open_read_failures_total",
    help: "Scrapes at which the number of open grants could not be read from Redis.",
    registers: [metrics],
    async collect() {
      await read();
    },
  });
  new Gauge({
    name: "kube_broker_grants_open",
    help: "Grants not yet ended (active or being provisioned), across all replicas; NaN when Redis cannot say.",
    registers: [metrics],
    async collect() {
      this.set(await read());
    },
  });
}
