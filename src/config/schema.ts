import { z } from "zod";
import { alertsSchema } from "./alerts-schema.ts";
import { dnsLabel, duration, httpUrl, namespacePattern, size, subjects } from "./fields.ts";
import { oidcSchema } from "./oidc-schema.ts";
import { onCallSchema, requestOnCall } from "./oncall-schema.ts";
import { recordingMode, recordingSchema } from "./recording-schema.ts";

const hostPort = z.strictObject({ host: z.string().min(1), port: z.number().int().min(1).max(65535) });

const listenAddress = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'must be "host:port", such as 0.0.0.0:8443');

/**
 * A second listener where every path is a cluster's own (no /clusters/<name> prefix), for
 * clients that replace or join paths at the root: kubectl get --raw, kubectl proxy, and
 * others built on raw paths. Same TLS certificate as the broker's listener.
 */
const prefixFreeGateway = z.strictObject({
  /** "host:port" of the prefix-free listener. */
  listen: listenAddress,
  /** The URL kubeconfigs name for it; by default publicUrl's scheme and host with listen's port. */
  publicUrl: httpUrl.optional(),
  /**
   * With a domain, the cluster is the host name's first label: https://<cluster>.<domain>
   * (the certificate must cover *.<domain>). Without one, the cluster is the one whose
   * gateway audience the token carries, so one address serves every gateway-mode cluster.
   */
  domain: z
    .string()
    .regex(
      /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/,
      "must be a DNS domain such as gw.example.com",
    )
    .optional(),
});

const server = z.strictObject({
  /** "host:port" the broker listens on. */
  listen: listenAddress.default("0.0.0.0:8443"),
  /** The URL people and kubectl reach the broker at (login callbacks, gateway URLs). */
  publicUrl: httpUrl,
  tls: z.strictObject({ certFile: z.string().min(1), keyFile: z.string().min(1) }).optional(),
  /** Trust X-Forwarded-For from a load balancer in front (for audit sourceIp and rate limits). */
  trustProxy: z.boolean().default(false),
  /** The CA kubectl should trust for publicUrl, written into kubeconfigs (PEM file). */
  caFile: z.string().min(1).optional(),
  /**
   * On SIGTERM, how long requests under way may take to finish before their connections are
   * closed (watches, logs -f and exec are ended at once, with a reason): a rolling restart.
   */
  drainTimeout: duration.default(20),
  /**
   * On SIGTERM, how long to go on accepting connections (answering each with `Connection:
   * close`) while /readyz already says 503, before the listener closes: the time a load
   * balancer or Kubernetes needs to stop sending new connections here. Kubernetes removes a
   * terminating pod from its Service's endpoints only after it was sent SIGTERM.
   */
  drainDelay: duration.default(0),
  gateway: prefixFreeGateway.optional(),
});

const redis = z
  .strictObject({
    url: z
      .string()
      .regex(/^(rediss?|unix):\/\//, "must be a redis://, rediss:// or unix:// URL")
      .optional(),
    sentinels: z.array(hostPort).min(1).optional(),
    sentinelMaster: z.string().min(1).default("mymaster"),
    cluster: z.array(hostPort).min(1).optional(),
    /** Name of the environment variable holding the Redis password, if any. */
    passwordEnv: z.string().min(1).optional(),
    /**
     * The longest any one command may wait for Redis. A stalled Redis (paused, swapping, a
     * failover) must not stall kubectl: past this, the request path refuses or spools.
     */
    commandTimeout: duration.default(2),
    /** Every key starts with this; keys also carry hash tags so Redis Cluster works. */
    keyPrefix: z
      .string()
      .regex(/^[A-Za-z0-9:_.-]*$/, "letters, digits and : _ . - only")
      .default("kb:"),
  })
  .refine((r) => [r.url, r.sentinels, r.cluster].filter(Boolean).length === 1, {
    message: "set exactly one of url, sentinels or cluster",
  });

const clusterAuth = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("kubeconfig"),
    /** Path to a kubeconfig; empty means the default loading rules ($KUBECONFIG, ~/.kube/config). */
    file: z.string().min(1).optional(),
    context: z.string().min(1).optional(),
  }),
  z.strictObject({ kind: z.literal("in-cluster") }),
  z
    .strictObject({
      kind: z.literal("token"),
      tokenFile: z.string().min(1).optional(),
      tokenEnv: z.string().min(1).optional(),
    })
    .refine((a) => [a.tokenFile, a.tokenEnv].filter(Boolean).length === 1, {
      message: "set exactly one of tokenFile or tokenEnv",
    }),
]);

const cluster = z
  .strictObject({
    name: dnsLabel,
    /** API server URL; taken from the kubeconfig when auth.kind is kubeconfig. */
    server: httpUrl.optional(),
    caFile: z.string().min(1).optional(),
    caData: z.string().min(1).optional(),
    auth: clusterAuth,
    grantsNamespace: dnsLabel.default("kube-broker-grants"),
    /** Lifetime of each token handed out; TokenRequest's minimum is 10 minutes. */
    tokenTtl: duration
      .default(15 * 60)
      .refine((s) => s >= 600, "must be at least 10m (TokenRequest's minimum)")
      .refine(
        (s) => s !== 3607,
        "3607s is silently extended to a year by the API server; pick another value",
      ),
    /** gateway: handed-out tokens only work through the gateway; api: they work at the API server. */
    tokenAudience: z.enum(["gateway", "api"]).default("gateway"),
    /** The audience of gateway tokens; defaults to kube-broker:<name>. */
    gatewayAudience: z.string().min(1).optional(),
    /** Audiences the API server accepts; empty means its default (what TokenRequest picks). */
    apiAudiences: z.array(z.string().min(1)).default([]),
    /** How the gateway verifies presented tokens. */
    tokenVerification: z.enum(["jwks", "tokenreview"]).default("jwks"),
    /** Recording of exec and attach sessions here; the stricter of this and the role's applies. */
    recording: recordingMode.optional(),
  })
  .refine((c) => !(c.caFile && c.caData), { message: "set caFile or caData, not both", path: ["caFile"] })
  .refine((c) => c.auth.kind !== "token" || c.server, {
    message: "required when auth.kind is token",
    path: ["server"],
  });

/**
 * The persistence guard: what a grant of this role may not leave behind (tokens outliving it,
 * ServiceAccount token Secrets, bindings, client certificates). `audit` lets such requests
 * through and records them; `off` does not look.
 */
const guard = z.strictObject({
  mode: z.enum(["enforce", "audit", "off"]).default("enforce"),
  /**
   * Whom bindings made through the grant may give a role: nobody (`none`), only
   * ServiceAccounts kube-broker manages, which end with their grants (`managed`), or anyone
   * (`any`, which also allows Roles with escalate, bind or impersonate).
   */
  delegation: z.enum(["none", "managed", "any"]).default("none"),
});

const role = z
  .strictObject({
    name: dnsLabel,
    /** Bind this ClusterRole (in each namespace, or cluster-wide). */
    clusterRole: z.string().min(1).optional(),
    /** Bind a namespaced Role of this name in each target namespace. */
    role: z.string().min(1).optional(),
    scope: z.enum(["namespaced", "cluster"]).default("namespaced"),
    maxTtl: duration.default(8 * 3600),
    /** Low-risk roles: access requests for them are approved at once. */
    lowRisk: z.boolean().default(false),
    /**
     * Admin-level or break-glass access: `report review` lists every grant of it in its window.
     * Roles whose clusterRole is cluster-admin count as privileged without this.
     */
    privileged: z.boolean().default(false),
    description: z.string().optional(),
    guard: guard.default({ mode: "enforce", delegation: "none" }),
    /** Recording of exec and attach sessions of this role; the stricter of this and the cluster's applies. */
    recording: recordingMode.optional(),
    /**
     * Kinds of object to delete when a grant of this role ends, if the grant created them
     * (as its audit records show): resources as the API names them, group-qualified outside
     * the core group, e.g. [pods, secrets, rolebindings.rbac.authorization.k8s.io].
     */
    cleanup: z
      .array(
        z
          .string()
          .regex(
            /^[a-z0-9-]+(\.[a-z0-9.-]+)?$/,
            "a resource such as pods or rolebindings.rbac.authorization.k8s.io",
          ),
      )
      .default([]),
  })
  .refine((r) => [r.clusterRole, r.role].filter(Boolean).length === 1, {
    message: "set exactly one of clusterRole or role",
  })
  .refine((r) => !(r.scope === "cluster" && r.role), {
    message: "a cluster-wide role must bind a clusterRole",
    path: ["scope"],
  });

const standingRule = z.strictObject({
  subjects,
  clusters: z.array(z.string().min(1)).min(1).default(["*"]),
  roles: z.array(z.string().min(1)).min(1),
  /** Namespaces (or globs) the roles may be held in; ignored for cluster-wide roles. */
  namespaces: z.array(namespacePattern).default([]),
  maxTtl: duration.optional(),
});

/** The longest break-glass access a rule may allow: an emergency is short, the rest has approvers. */
export const MAX_BREAK_GLASS_SECONDS = 4 * 3600;

/**
 * Break-glass: whom the rule covers may, in an emergency, take its access at once with a
 * reason and no approver, for at most `maxDuration` (further capped by the rule's maxDuration
 * and the role's maxTtl). Every such grant fires the critical break-glass-started alert.
 * `true` means the defaults.
 */
const breakGlass = z
  .preprocess(
    (value) => (value === true ? {} : value === false ? undefined : value),
    z
      .strictObject(
        {
          maxDuration: duration
            .default(3600)
            .refine((s) => s >= 60, "must be at least 1m")
            .refine(
              (s) => s <= MAX_BREAK_GLASS_SECONDS,
              "break-glass access is for emergencies: at most 4h; longer access goes through approvers",
            ),
        },
        {
          error: (issue) =>
            issue.code === "invalid_type" ? "must be true, false or { maxDuration: 1h }" : undefined,
        },
      )
      .optional(),
  )
  .optional();

const requestRule = z.strictObject({
  subjects,
  clusters: z.array(z.string().min(1)).min(1).default(["*"]),
  roles: z.array(z.string().min(1)).min(1),
  namespaces: z.array(namespacePattern).default([]),
  maxDuration: duration.default(4 * 3600),
  approvers: subjects,
  approvals: z.number().int().min(1).max(10).default(1),
  reasonRequired: z.boolean().default(true),
  /** Who gets such a request approved at once (for example the on-call group). */
  autoApprove: subjects.optional(),
  /** How long a request may stay pending before it expires. */
  pendingTtl: duration.default(3600),
  breakGlass,
  /** The on-call person of a schedule may approve alone, or is approved at once (oncall-schema.ts). */
  onCall: requestOnCall.optional(),
});

const claimValue = z.union([z.string(), z.boolean(), z.array(z.string()).min(1)]);

const ciRule = z.strictObject({
  name: z.string().min(1),
  issuer: httpUrl,
  audience: z.string().min(1),
  /** Claims the token must carry: exact values or globs; a list means any of them. */
  claims: z
    .record(z.string(), claimValue)
    .refine((c) => Object.keys(c).length > 0, "match at least one claim"),
  cluster: z.string().min(1),
  role: z.string().min(1),
  namespaces: z.array(dnsLabel).default([]),
  maxTtl: duration.default(3600),
});

const ci = z.strictObject({
  /** Oldest accepted `iat`; CI tokens are meant to be exchanged at once. */
  maxTokenAge: duration.default(10 * 60),
  /** Tolerance for clocks when checking exp, nbf and iat. */
  clockSkew: duration.default(30),
  rules: z.array(ciRule).default([]),
});

const audit = z.strictObject({
  mode: z.enum(["fail-closed", "buffered"]).default("fail-closed"),
  retention: z
    .strictObject({
      maxAge: duration.default(30 * 86400),
      maxLength: z.number().int().min(1000).default(1_000_000),
    })
    .prefault({}),
  spool: z
    .strictObject({
      path: z.string().min(1).default("/var/lib/kube-broker/audit-spool.jsonl"),
      maxBytes: size.default(64 * 1024 ** 2),
    })
    .prefault({}),
  /** How long a request waits for Redis to accept its record before the gateway refuses it. */
  writeTimeout: duration.default(2),
  /**
   * How many streams the audit log is split into: on a Redis Cluster each has a slot of its
   * own, so audit writes spread over several nodes. 1 keeps the single stream and its key
   * names; see docs/operations.md ("Audit stream shards") before changing it.
   */
  shards: z.number().int().min(1).max(64).default(1),
  /**
   * Up to how many replicas must hold a record (Redis WAIT, within writeTimeout) before it
   * counts as written. Redis replicates asynchronously, so with 0 a master killed right
   * after taking a record loses it in a failover; 1 keeps it on the replica that is then
   * promoted. Only connected replicas are waited for, so a replica that is down costs no
   * availability. For Sentinel and Cluster.
   */
  replicas: z.number().int().min(0).max(16).default(0),
  export: z
    .discriminatedUnion("kind", [
      z.strictObject({ kind: z.literal("none") }),
      z.strictObject({ kind: z.literal("stdout") }),
      z.strictObject({ kind: z.literal("file"), path: z.string().min(1) }),
      z.strictObject({
        kind: z.literal("webhook"),
        url: httpUrl,
        headersEnv: z.string().min(1).optional(),
        /**
         * `json` (when unset): each batch as a JSON array of our records. `k8s-audit`: request
         * records as a Kubernetes audit EventList, as kube-apiserver's audit webhook sends it
         * (for Falco's k8saudit plugin; docs/operations.md "Audit export"). Optional rather
         * than defaulted, so a config built in code without it stays valid.
         */
        format: z.enum(["json", "k8s-audit"]).optional(),
      }),
    ])
    .default({ kind: "none" }),
});

const webhook = z
  .strictObject({
    name: z.string().min(1),
    url: httpUrl.optional(),
    /** Webhook URLs such as Slack's are secrets: name the env variable that holds it instead. */
    urlEnv: z.string().min(1).optional(),
    format: z.enum(["json", "slack"]).default("json"),
    events: z
      .array(
        z.enum([
          "request.created",
          "request.approved",
          "request.denied",
          "request.expired",
          "grant.ended",
          // Opt-in: a webhook without `events` is not sent scheduled reports (docs/reports.md).
          "report.delivered",
          // Opt-in too: alerts go where they are asked for (docs/alerts.md "Delivery").
          "alert.fired",
        ]),
      )
      .optional(),
  })
  .refine((w) => [w.url, w.urlEnv].filter(Boolean).length === 1, {
    message: "set exactly one of url or urlEnv",
  });

const rateLimit = z.strictObject({ perMinute: z.number().int().min(1) });

const limits = z.strictObject({
  maxHeaderBytes: size.default(32 * 1024),
  maxBodyBytes: size.default(1024 ** 2),
  requestTimeout: duration.default(60),
  rateLimits: z
    .strictObject({
      login: rateLimit.default({ perMinute: 20 }),
      token: rateLimit.default({ perMinute: 300 }),
      requests: rateLimit.default({ perMinute: 30 }),
    })
    .prefault({}),
});

export const configSchema = z.strictObject({
  server,
  redis,
  /** People's identity providers: one, or a list of named ones (oidc-schema.ts). */
  oidc: oidcSchema,
  /** Who may see and revoke everything. */
  admins: z
    .strictObject({ users: z.array(z.string()).default([]), groups: z.array(z.string()).default([]) })
    .prefault({}),
  clusters: z.array(cluster).min(1),
  roles: z.array(role).min(1),
  policies: z
    .strictObject({ standing: z.array(standingRule).default([]), requests: z.array(requestRule).default([]) })
    .prefault({}),
  ci: ci.prefault({}),
  audit: audit.prefault({}),
  notifications: z
    .strictObject({
      webhooks: z.array(webhook).default([]),
      /** Attempts per notification before it is dropped (and counted as failed). */
      attempts: z.number().int().min(1).max(20).default(6),
      /** Wait before the first retry; doubled each time. */
      initialBackoff: duration.default(1),
      /**
       * How long a delivery may sit unacknowledged with a replica before another replica takes
       * it over (the first one crashed). Longer than one attempt plus its longest backoff.
       */
      claimAfter: duration.default(60),
    })
    .prefault({}),
  limits: limits.prefault({}),
  reports: z
    .strictObject({
      /**
       * How often one replica scans every cluster's RBAC (under a Redis lease) to keep the
       * kube_broker_rbac_findings gauges current; a report asked for refreshes them too.
       */
      rbacScanInterval: duration.default(3600).refine((s) => s >= 60, "must be at least 1m"),
      /** How long the per-day usage aggregates behind `report usage|unused|access` are kept. */
      usageRetention: duration.default(90 * 86400).refine((s) => s >= 86400, "must be at least 1d"),
      /**
       * Reports one replica (under a Redis lease) builds every `every` and delivers as JSON to
       * the audit export sink (a `report.delivered` lifecycle record) and to the notification
       * webhooks that list the `report.delivered` event. `rbac` without a cluster is one
       * delivery per cluster; `review` without one covers every cluster.
       */
      schedule: z
        .array(
          z.strictObject({
            report: z.enum(["rbac", "review"]),
            every: duration.refine((s) => s >= 3600, "must be at least 1h"),
            cluster: z.string().min(1).optional(),
          }),
        )
        .default([]),
    })
    .prefault({}),
  /** Detection rules over the audit records (alerts-schema.ts, docs/alerts.md). */
  alerts: alertsSchema.prefault({}),
  /** Recordings of exec and attach sessions (recording-schema.ts). */
  recording: recordingSchema.prefault({}),
  /** On-call schedules that request rules name (oncall-schema.ts). */
  onCall: onCallSchema.prefault({}),
});

export type Config = z.output<typeof configSchema>;
export type ClusterConfig = Config["clusters"][number];
export type { OidcProviderConfig } from "./oidc-schema.ts";
export type RoleConfig = Config["roles"][number];
export type StandingRule = Config["policies"]["standing"][number];
export type RequestRule = Config["policies"]["requests"][number];
export type CiRule = Config["ci"]["rules"][number];
export type AuditConfig = Config["audit"];
export type ReportsConfig = Config["reports"];
export type { AlertMatch, AlertRuleConfig, AlertsConfig } from "./alerts-schema.ts";
