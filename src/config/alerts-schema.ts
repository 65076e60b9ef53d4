import { isIP } from "node:net";
import { z } from "zod";
import { duration, httpUrl, namespacePattern } from "./fields.ts";

/**
 * The `alerts` section: detection rules over audit records (docs/alerts.md). The schema
 * checks each rule on its own (CIDRs, time zones, hours, groupBy fields); duplicate names
 * and overrides of unknown default rules are checked in references.ts.
 */

/** Lifecycle events a rule may match; src/alerts checks at compile time that it is the audit list. */
export const ALERT_LIFECYCLE_EVENTS = [
  "login",
  "logout",
  "session.revoked",
  "token.issued",
  "grant.started",
  "grant.updated",
  "grant.ended",
  "request.created",
  "request.approved",
  "request.denied",
  "request.expired",
  "request.canceled",
  "report.delivered",
  "suspension.lifted",
  "session.command",
] as const;

/** The rules that ship enabled (src/alerts/default-rules.ts builds them; docs/alerts.md says why). */
export const DEFAULT_ALERT_RULES = [
  "exec-in-sensitive-namespace",
  "secret-read",
  "rbac-changed",
  "namespace-deleted",
  "refusal-burst",
  "admin-grant-started",
  "new-source-ip",
  "approved-outside-business-hours",
  "break-glass-started",
] as const;

/**
 * Default rules that cannot be switched off, weakened or replaced: break-glass access always
 * fires a critical alert (docs/alerts.md), or taking access without an approver goes unseen.
 */
export const LOCKED_ALERT_RULES: readonly (typeof DEFAULT_ALERT_RULES)[number][] = ["break-glass-started"];

/** Record fields a threshold may count per value of, or first-seen remember. */
export const ALERT_GROUP_FIELDS = [
  "user",
  "cluster",
  "namespace",
  "sourceIp",
  "grant",
  "role",
  "verb",
  "resource",
] as const;

/** What a rule may do when it fires. */
export const ALERT_ACTIONS = ["revoke-grant", "end-session", "require-approval"] as const;

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** One value or a list of them, read as a list: the record matches if any of them does. */
const oneOrMore = <T extends z.ZodType>(item: T) =>
  z.union([item, z.array(item).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.output<T>[]);

const glob = z.string().min(1, "an empty glob matches nothing; leave the field out to match anything");

const cidr = z.string().refine(isCidr, 'must be an IP address or a CIDR block such as "10.0.0.0/8"');

export function isCidr(value: string): boolean {
  const [address, bits, ...rest] = value.split("/");
  const family = isIP(address ?? "");
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

export const timeZone = z
  .string()
  .refine(isTimeZone, "unknown time zone: use an IANA name such as Europe/Berlin");

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** "07:00-20:00": a span of local time; a start after the end spans midnight ("22:00-06:00"). */
export const hoursSpan = z
  .string()
  .regex(
    /^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/,
    'must be "HH:MM-HH:MM", such as 07:00-20:00',
  )
  .refine((s) => s.slice(0, 5) !== s.slice(6), "the span is empty: start and end are the same");

const weekdays = z.array(z.enum(WEEKDAYS)).min(1);

const match = z.strictObject({
  /** request: proxied kubectl requests; lifecycle: login, grants, access requests. */
  type: z.enum(["request", "lifecycle"]).optional(),
  user: oneOrMore(glob).optional(),
  group: oneOrMore(glob).optional(),
  cluster: oneOrMore(glob).optional(),
  namespace: oneOrMore(namespacePattern).optional(),
  verb: oneOrMore(glob).optional(),
  apiGroup: oneOrMore(z.string()).optional(),
  resource: oneOrMore(glob).optional(),
  /** exec, attach, portforward, proxy, log, or any other subresource. */
  subresource: oneOrMore(glob).optional(),
  name: oneOrMore(glob).optional(),
  decision: oneOrMore(z.enum(["allowed", "denied-by-broker", "denied-by-cluster", "error"])).optional(),
  statusClass: oneOrMore(z.enum(["1xx", "2xx", "3xx", "4xx", "5xx"])).optional(),
  role: oneOrMore(glob).optional(),
  grantKind: oneOrMore(z.enum(["standing", "requested", "ci", "break-glass"])).optional(),
  sourceIp: oneOrMore(cidr).optional(),
  event: oneOrMore(z.enum(ALERT_LIFECYCLE_EVENTS)).optional(),
  /** A line typed in a recorded exec or attach session (session.command events): globs. */
  command: oneOrMore(glob).optional(),
});

export const alertRule = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "lowercase letters, digits and '-', at most 63"),
  severity: z.enum(["info", "warning", "critical"]),
  description: z.string().min(1),
  enabled: z.boolean().default(true),
  match: match.prefault({}),
  /** Fires when `count` matching records with the same `groupBy` value fall within `window`. */
  threshold: z
    .strictObject({
      count: z.number().int().min(2).max(100_000),
      window: duration.refine((s) => s >= 1 && s <= 86400, "must be between 1s and 1d"),
      groupBy: z.enum(ALERT_GROUP_FIELDS).default("user"),
    })
    .optional(),
  /** Fires when a user reaches this cluster, namespace or source IP for the first time in `days`. */
  firstSeen: z
    .strictObject({
      of: z.enum(["cluster", "namespace", "sourceIp"]),
      days: z.number().int().min(1).max(365),
    })
    .optional(),
  /** Fires only outside these hours (and weekdays, if given) in the time zone. */
  schedule: z.strictObject({ timeZone, outside: hoursSpan, weekdays: weekdays.optional() }).optional(),
  /**
   * What the broker does as well as alerting (docs/alerts.md "Automatic response"):
   * end the grant the record used, end the person's broker sessions, or suspend their
   * standing access to the record's cluster until an admin lifts it.
   */
  action: z.enum(ALERT_ACTIONS).optional(),
  /** Report what the action would have done (in the alert and an alert.action record), without doing it. */
  dryRun: z.boolean().default(false),
});

export const alertsSchema = z.strictObject({
  /** Where exec, attach and port-forward fire the exec-in-sensitive-namespace default rule. */
  sensitiveNamespaces: z.array(namespacePattern).default([]),
  /** Business hours: approvals outside them fire approved-outside-business-hours. */
  businessHours: z
    .strictObject({
      timeZone: timeZone.default("UTC"),
      hours: hoursSpan.default("07:00-20:00"),
      weekdays: weekdays.default(["mon", "tue", "wed", "thu", "fri"]),
    })
    .prefault({}),
  /** Default rules switched off or changed by name (docs/alerts.md lists them). */
  defaults: z
    .record(
      z.string(),
      z.strictObject({
        enabled: z.boolean().optional(),
        severity: z.enum(["info", "warning", "critical"]).optional(),
      }),
    )
    .default({}),
  rules: z.array(alertRule).default([]),
  /** Prometheus Alertmanagers every alert is posted to (their v2 API, `<url>/api/v2/alerts`). */
  alertmanagers: z
    .array(
      z
        .strictObject({
          name: z.string().min(1),
          /** The Alertmanager's base URL, such as http://alertmanager:9093. */
          url: httpUrl.optional(),
          /** Or the env variable that holds it (a URL with credentials in it is a secret). */
          urlEnv: z.string().min(1).optional(),
        })
        .refine((a) => [a.url, a.urlEnv].filter(Boolean).length === 1, {
          message: "set exactly one of url or urlEnv",
        }),
    )
    .default([]),
  /**
   * Webhooks (notifications.webhooks that list `alert.fired`) get one message per rule and
   * group key in this span; repeats within it are counted into the next message. Alertmanager
   * groups repeats itself.
   */
  throttle: duration.default(300),
  /** How long fired alerts stay listed (GET /v1/alerts, kubectl broker alerts). */
  retention: duration.default(30 * 86400),
});

export type AlertsConfig = z.output<typeof alertsSchema>;
export type AlertRuleConfig = z.output<typeof alertRule>;
export type AlertMatch = AlertRuleConfig["match"];
