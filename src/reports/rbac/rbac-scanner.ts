import { Counter, Gauge, type Registry } from "prom-client";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/logger.ts";
import { SEVERITIES } from "./finding.ts";
import type { RbacReader } from "./rbac-reader.ts";
import { managedGrantIds, type RbacReport, rbacReport } from "./rbac-report.ts";

/** A cluster the report scans: its name and how to read its RBAC (src/cluster implements it). */
export interface ReportCluster {
  config: { name: string };
  rbac: RbacReader;
}

/** What the report asks the grants feature: whether the grant behind a labelled object is open. */
export interface GrantStates {
  findById(id: string): Promise<{ state: string } | undefined>;
}

/**
 * Scans a cluster's RBAC into a report and keeps the posture gauges current, whether the scan
 * was asked for or periodic: `kube_broker_rbac_findings{cluster,severity}` is what an alert on
 * a new critical finding watches.
 */
export class RbacScanner {
  readonly #grants: GrantStates;
  readonly #clock: Clock;
  readonly #findings: Gauge<"cluster" | "severity">;
  readonly #scannedAt: Gauge<"cluster">;
  readonly #failures: Counter<"cluster">;

  constructor(options: { grants: GrantStates; clock: Clock; metrics: Registry }) {
    this.#grants = options.grants;
    this.#clock = options.clock;
    const registers = [options.metrics];
    this.#findings = new Gauge({
      name: "kube_broker_rbac_findings",
      help: "RBAC posture findings of the last scan of each cluster, by severity (docs/reports.md).",
      labelNames: ["cluster", "severity"],
      registers,
    });
    this.#scannedAt = new Gauge({
      name: "kube_broker_rbac_last_scan_timestamp_seconds",
      help: "When each cluster's RBAC was last scanned successfully (Unix seconds).",
      labelNames: ["cluster"],
      registers,
    });
    this.#failures = new Counter({
      name: "kube_broker_rbac_scan_failures_total",
      help: "RBAC scans that could not read the cluster.",
      labelNames: ["cluster"],
      registers,
    });
  }

  async scan(cluster: ReportCluster): Promise<RbacReport> {
    const name = cluster.config.name;
    let report: RbacReport;
    try {
      const snapshot = await cluster.rbac.readRbac();
      const openGrants = await this.#openGrants(managedGrantIds(snapshot));
      report = rbacReport({ cluster: name, snapshot, openGrants, now: this.#clock.now() });
    } catch (err) {
      this.#failures.inc({ cluster: name });
      throw err;
    }
    for (const severity of SEVERITIES)
      this.#findings.set({ cluster: name, severity }, report.summary[severity]);
    this.#scannedAt.set({ cluster: name }, this.#clock.now() / 1000);
    return report;
  }

  /** Every cluster in turn; one that cannot be read is logged and counted, the rest still scanned. */
  async scanAll(clusters: Iterable<ReportCluster>, logger: Logger): Promise<void> {
    for (const cluster of clusters) {
      try {
        await this.scan(cluster);
      } catch (err) {
        logger.warn({ cluster: cluster.config.name, err: String(err) }, "RBAC scan failed");
      }
    }
  }

  async #openGrants(ids: string[]): Promise<Set<string>> {
    const named = ids.filter(Boolean);
    const grants = await Promise.all(named.map((id) => this.#grants.findById(id)));
    return new Set(named.filter((_, i) => grants[i] !== undefined && grants[i]!.state !== "ended"));
  }
}
