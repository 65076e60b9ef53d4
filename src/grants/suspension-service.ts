import type { LifecycleSink } from "../audit/index.ts";
import type { Clock } from "../shared/clock.ts";
import { Forbidden, NotFound } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import type { Principal } from "../shared/principal.ts";
import { type Grant, isActive } from "./grant.ts";
import type { GrantService } from "./grant-service.ts";
import type { GrantStore } from "./grant-store.ts";
import type { Suspension, SuspensionStore } from "./suspension-store.ts";

/**
 * Suspended standing access: while a person is suspended on a cluster, the credentials API
 * makes them no standing grant there and issues no token from one; access they requested
 * and had approved still works, so a request is the way back in. Suspending ends their
 * active standing grants on that cluster at once (which cuts their open sessions). A person
 * is named as audit records name them (the principal's name), so an alert on any record can
 * suspend them, and an admin lifts it by the name they see listed.
 */
export class SuspensionService {
  readonly #suspensions: SuspensionStore;
  readonly #store: GrantStore;
  readonly #grants: GrantService;
  readonly #clock: Clock;
  readonly #lifecycle: LifecycleSink;
  readonly #logger: Logger;

  constructor(options: {
    suspensions: SuspensionStore;
    store: GrantStore;
    grants: GrantService;
    clock: Clock;
    lifecycle: LifecycleSink;
    logger: Logger;
  }) {
    this.#suspensions = options.suspensions;
    this.#store = options.store;
    this.#grants = options.grants;
    this.#clock = options.clock;
    this.#lifecycle = options.lifecycle;
    this.#logger = options.logger;
  }

  /**
   * Suspends the person's standing access to the cluster (kept as it was if they already
   * are) and ends their active standing grants there. Idempotent: called again, it creates
   * nothing and finds nothing left to end.
   */
  async suspend(suspension: Suspension): Promise<{ created: boolean; ended: Grant[] }> {
    const created = await this.#suspensions.create(suspension);
    const detail = `revoked by ${suspension.by} (standing access to ${suspension.cluster} suspended)`;
    const ended: Grant[] = [];
    for (const grant of await this.standingGrantsOf(suspension.cluster, suspension.user)) {
      ended.push(await this.#grants.end(grant, "revoked", detail));
    }
    return { created, ended };
  }

  /** The person's active standing grants on the cluster: what suspending would end. */
  async standingGrantsOf(cluster: string, user: string): Promise<Grant[]> {
    const now = this.#clock.now();
    return (await this.#store.listOpen()).filter(
      (g) =>
        g.cluster === cluster && g.principal.name === user && g.origin === "standing" && isActive(g, now),
    );
  }

  find(cluster: string, user: string): Promise<Suspension | undefined> {
    return this.#suspensions.get(cluster, user);
  }

  async list(): Promise<Suspension[]> {
    const all = await this.#suspensions.list();
    return all.sort((a, b) => b.at - a.at);
  }

  /** An admin lifts a suspension; the person's standing access works again at once. */
  async lift(cluster: string, user: string, by: Principal): Promise<Suspension> {
    const lifted = await this.#suspensions.delete(cluster, user);
    if (!lifted) throw new NotFound(`${user} has no suspended standing access to cluster "${cluster}"`);
    await this.#lifecycle
      .publish({
        event: "suspension.lifted",
        cluster,
        user,
        detail: `lifted by ${by.name}; suspended by ${lifted.by} at ${iso(lifted.at)}: ${lifted.reason}`,
      })
      .catch((err: unknown) =>
        this.#logger.error({ event: "suspension.lifted", err }, "lifecycle event not recorded"),
      );
    return lifted;
  }

  /** Throws the refusal a suspended person gets for standing access to the cluster. */
  async refuseIfSuspended(principal: Principal, cluster: string): Promise<void> {
    const suspension = await this.#suspensions.get(cluster, principal.name);
    if (!suspension) return;
    throw new Forbidden(
      `your standing access to cluster "${cluster}" was suspended by ${suspension.by} at ` +
        `${iso(suspension.at)} (${suspension.reason}); ask for the access you need with ` +
        `kubectl broker request --cluster ${cluster}, or ask an admin to lift the suspension ` +
        `(kubectl broker suspensions lift ${principal.name} --cluster ${cluster})`,
    );
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
