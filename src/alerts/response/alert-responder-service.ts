import type { AuditRecord, LifecycleSink } from "../../audit/index.ts";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/logger.ts";
import type { Principal } from "../../shared/principal.ts";
import type { Alert } from "../alert-rule.ts";
import type { AlertResponder, AlertResponse } from "./alert-responder.ts";

/** A grant as the responder needs it: whose it is, where, and whether it still runs. */
export interface RespondingGrant {
  id: string;
  state: string;
  cluster: string;
  principal: Principal;
  endDetail?: string;
}

/** The grants feature: find the grant a record used, and end it as a revoke does. */
export interface GrantRevoker {
  findById(id: string): Promise<RespondingGrant | undefined>;
  /** Ends the grant (idempotent); `by` lands in its end detail ("revoked by <by>"). */
  revoke(id: string, by: string): Promise<RespondingGrant>;
}

/** The identity feature: end every broker session of a person. */
export interface SessionEnder {
  revokeAllOf(subject: string, by: Principal): Promise<number>;
}

/** The grants feature: suspend a person's standing access to a cluster until an admin lifts it. */
export interface StandingSuspender {
  findSuspension(cluster: string, user: string): Promise<{ by: string; at: number } | undefined>;
  standingGrantsOf(cluster: string, user: string): Promise<{ id: string }[]>;
  suspendStanding(suspension: {
    cluster: string;
    user: string;
    subject?: string;
    by: string;
    reason: string;
    at: number;
    alert?: string;
  }): Promise<{ created: boolean; ended: { id: string }[] }>;
}

export interface AlertResponderDeps {
  grants: GrantRevoker;
  sessions: SessionEnder;
  standing: StandingSuspender;
  lifecycle: LifecycleSink;
  clock: Clock;
  logger: Logger;
}

type ActingAlert = Alert & { action: NonNullable<Alert["action"]> };

/** What an action found and did, before it is recorded: who it was about and the outcome. */
interface Acted {
  outcome: AlertResponse["outcome"];
  detail: string;
  user: string;
  cluster?: string;
  grant?: string;
}

/**
 * Carries out alert rules' actions (docs/alerts.md "Automatic response"). Each action first
 * looks at what is there, so a second call for the same alert finds nothing to do, and a
 * dry run says what it would do from the same look. The person acted on is the holder of the
 * grant the record names (its principal gives the subject that sessions are kept by); only
 * require-approval, which names people as records do, works from the record's user alone.
 */
export function createAlertResponder(deps: AlertResponderDeps): AlertResponder {
  const { lifecycle, logger } = deps;
  return {
    async respond(alert) {
      const { kind, dryRun } = alert.action;
      let acted: Acted;
      try {
        acted = await ACTIONS[kind](deps, alert, dryRun);
      } catch (err) {
        logger.error({ alert: alert.id, rule: alert.rule, action: kind, err }, "alert action failed");
        acted = {
          outcome: "failed",
          detail: `could not ${VERBS[kind]}: ${err instanceof Error ? err.message : String(err)}`,
          user: alert.record.user,
          cluster: alert.record.cluster,
          grant: alert.record.grant,
        };
      }
      const response: AlertResponse = { action: kind, dryRun, outcome: acted.outcome, detail: acted.detail };
      await lifecycle
        .publish({
          event: "alert.action",
          user: acted.user,
          cluster: acted.cluster ?? alert.record.cluster,
          grant: acted.grant ?? "",
          detail: `alert rule ${alert.rule}: ${acted.detail} (dry run: ${dryRun ? "yes" : "no"})`,
        })
        .catch((err: unknown) =>
          logger.error({ alert: alert.id, event: "alert.action", err }, "lifecycle event not recorded"),
        );
      return response;
    },
  };
}

const VERBS: Record<AlertResponse["action"], string> = {
  "revoke-grant": "revoke the grant",
  "end-session": "end the broker sessions",
  "require-approval": "suspend standing access",
};

const ACTIONS: Record<
  AlertResponse["action"],
  (deps: AlertResponderDeps, alert: ActingAlert, dryRun: boolean) => Promise<Acted>
> = {
  "revoke-grant": revokeGrant,
  "end-session": endSessions,
  "require-approval": requireApproval,
};

const actor = (alert: Alert) => `alert rule ${alert.rule}`;

async function revokeGrant(deps: AlertResponderDeps, alert: ActingAlert, dryRun: boolean): Promise<Acted> {
  const { record } = alert;
  const about = { user: record.user, cluster: record.cluster };
  if (!record.grant) return { ...about, outcome: "nothing-to-do", detail: "the record names no grant" };
  const grant = await deps.grants.findById(record.grant);
  if (!grant)
    return {
      ...about,
      grant: record.grant,
      outcome: "nothing-to-do",
      detail: `grant ${record.grant} is gone`,
    };
  const what = `grant ${grant.id} of ${grant.principal.name} on ${grant.cluster}`;
  const acted = { user: grant.principal.name, cluster: grant.cluster, grant: grant.id };
  if (grant.state === "ended")
    return { ...acted, outcome: "nothing-to-do", detail: `${what} had already ended` };
  if (dryRun) return { ...acted, outcome: "would", detail: `would revoke ${what}` };
  const ended = await deps.grants.revoke(grant.id, actor(alert));
  // Someone (or this alert, dispatched twice) ended it between the look and the revoke.
  if (ended.endDetail !== `revoked by ${actor(alert)}`) {
    return { ...acted, outcome: "nothing-to-do", detail: `${what} had already ended` };
  }
  return { ...acted, outcome: "done", detail: `revoked ${what}` };
}

async function endSessions(deps: AlertResponderDeps, alert: ActingAlert, dryRun: boolean): Promise<Acted> {
  const { record } = alert;
  const about = { user: record.user, cluster: record.cluster, grant: record.grant };
  // Sessions are kept by subject; the record's user is a display name, so the grant says who.
  const grant = record.grant ? await deps.grants.findById(record.grant) : undefined;
  if (!grant) {
    const why = record.grant ? `its grant ${record.grant} is gone` : "the record names no grant";
    return { ...about, outcome: "nothing-to-do", detail: `cannot tell whose sessions to end: ${why}` };
  }
  const person = grant.principal;
  const acted = { ...about, user: person.name };
  if (person.kind !== "user") {
    return {
      ...acted,
      outcome: "nothing-to-do",
      detail: `${person.name} is a CI job, which holds no sessions`,
    };
  }
  if (dryRun)
    return { ...acted, outcome: "would", detail: `would end the broker sessions of ${person.name}` };
  const by: Principal = { kind: "user", subject: actor(alert), name: actor(alert), groups: [] };
  const count = await deps.sessions.revokeAllOf(person.subject, by);
  return count === 0
    ? { ...acted, outcome: "nothing-to-do", detail: `${person.name} had no broker sessions` }
    : { ...acted, outcome: "done", detail: `ended ${count} broker session(s) of ${person.name}` };
}

async function requireApproval(
  deps: AlertResponderDeps,
  alert: ActingAlert,
  dryRun: boolean,
): Promise<Acted> {
  const { record } = alert;
  const grant = record.grant ? await deps.grants.findById(record.grant) : undefined;
  const user = grant?.principal.name ?? record.user;
  const cluster = record.cluster;
  const acted = { user, cluster, grant: record.grant };
  if (!user || !cluster) {
    return { ...acted, outcome: "nothing-to-do", detail: "the record names no person and cluster" };
  }
  const what = `standing access of ${user} to ${cluster}`;
  const suspended = await deps.standing.findSuspension(cluster, user);
  if (dryRun) {
    if (suspended) return { ...acted, outcome: "nothing-to-do", detail: already(what, suspended) };
    const grants = await deps.standing.standingGrantsOf(cluster, user);
    return { ...acted, outcome: "would", detail: `would suspend ${what}${ending(grants)}` };
  }
  const { created, ended } = await deps.standing.suspendStanding({
    cluster,
    user,
    ...(grant ? { subject: grant.principal.subject } : {}),
    by: actor(alert),
    reason: `${alert.description}: ${recordSummary(record)}`,
    at: deps.clock.now(),
    alert: alert.id,
  });
  if (created) return { ...acted, outcome: "done", detail: `suspended ${what}${ending(ended)}` };
  // Already suspended: a grant made since (or left by a crash mid-way) still had to end.
  if (ended.length > 0)
    return { ...acted, outcome: "done", detail: `${what} stays suspended${ending(ended)}` };
  return { ...acted, outcome: "nothing-to-do", detail: already(what, suspended) };
}

function already(what: string, suspended: { by: string; at: number } | undefined): string {
  return suspended
    ? `${what} was already suspended by ${suspended.by} at ${new Date(suspended.at).toISOString()}`
    : `${what} was already suspended`;
}

function ending(grants: { id: string }[]): string {
  if (grants.length === 0) return "";
  return `, ending standing grant${grants.length === 1 ? "" : "s"} ${grants.map((g) => g.id).join(", ")}`;
}

/** What the record was, in a few words: "exec pods/exec prod/api-1", or the lifecycle event. */
function recordSummary(record: AuditRecord): string {
  if (record.type === "lifecycle") return record.event;
  const resource = record.subresource ? `${record.resource}/${record.subresource}` : record.resource;
  const object = [record.namespace, record.name].filter(Boolean).join("/");
  return [record.verb, resource, object].filter(Boolean).join(" ") || record.path;
}
