/**
 * Alert rules on a real Redis, in two parts.
 *
 * Throughput: one audit shard holding 100,000 gateway requests (their start and end records,
 * a few lifecycle events: some 200,000 records over a day) is read through the product's
 * EvaluationWorker (XREADGROUP in the group kb-alerts, parse, evaluate, XACK, its default
 * batch) twice in the same run: with no rules (the baseline, reading the stream alone), then
 * with the default rules plus 50 custom ones (plain matches, thresholds, first-seen,
 * schedules) and the Redis alert store. Records per second of wall time and records per CPU
 * second (this process plus Redis: "per core"), and the ratio of the two runs.
 *
 * Latency: the whole alerts feature (createAlerts: evaluation worker and dispatcher) with the
 * same rules while requests are appended at a steady 500 records/s, about 2% of them an exec
 * into a sensitive namespace of its own (prod-<i>), the rest the mix above (which fires other
 * rules too, all counted); each record's ts is the time of its XADD, and the latency is from
 * there to the alert being handed to delivery. Target (DESIGN.md):
 * request → delivered alert p99 ≤ 2 s. The last hop, from the delivery queue to Alertmanager,
 * is not in this figure: the integration test test/integration/alerts/delivery.test.ts covers it.
 * Run: npx node test/bench/alerts.ts (or npm run bench -- alerts); BENCH_REQUESTS and
 * BENCH_SECONDS make it smaller for a profile (defaults 100,000 requests and 20 s).
 */
import { Registry } from "prom-client";
import { AlertEvaluator } from "../../src/alerts/alert-evaluator.ts";
import { alertLogKeys, DISPATCH_GROUP, EVALUATE_GROUP } from "../../src/alerts/alert-log-keys.ts";
import type { Alert } from "../../src/alerts/alert-rule.ts";
import { effectiveRules } from "../../src/alerts/default-rules.ts";
import { EvaluationWorker } from "../../src/alerts/evaluation-worker.ts";
import { createAlerts } from "../../src/alerts/index.ts";
import { RedisAlertStore } from "../../src/alerts/redis-alert-store.ts";
import { auditKeys } from "../../src/audit/audit-keys.ts";
import type { AuditRecord, RequestAuditRecord } from "../../src/audit/record.ts";
import { toStreamFields } from "../../src/audit/record-fields.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { silentLogger } from "../../src/shared/logger.ts";
import { dedicatedConnection } from "../../src/shared/redis.ts";
import { startRedis } from "../../tools/redis/redis-server.ts";
import { alertGroupsReady } from "../support/alert-fixtures.ts";
import { lifecycleRecord, requestRecord } from "../support/audit-fixtures.ts";
import { RecordingLifecycle } from "../support/fakes/recording-lifecycle.ts";
import { testConfig } from "../support/fakes/test-config.ts";
import { ms, printResult, printTable, times } from "./support/report.ts";
import { round, summarize } from "./support/stats.ts";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100_000);
const DAY = 86_400_000;
const RATE = 500; // records per second, in the latency part
const LATENCY_SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const PROBE_SHARE = 0.02;

// ---- The traffic: who does what, where from -------------------------------------------------

const USERS = [
  ...Array.from({ length: 16 }, (_, i) => ({ name: `dev${i}@example.com`, groups: "developers" })),
  { name: "contractor-1@example.com", groups: "contractors" },
  { name: "contractor-2@example.com", groups: "contractors" },
  { name: "ci-deployer", groups: "ci" },
  { name: "admin@example.com", groups: "platform-admins" },
];
/** Most work is in the teams' namespaces; about 15% in sensitive ones. */
const NAMESPACE_SHARES: [string, number][] = [
  ["team-a", 30],
  ["team-b", 25],
  ["team-c", 20],
  ["default", 10],
  ["prod-web", 6],
  ["prod-db", 3],
  ["payments", 4],
  ["kube-system", 2],
];
const NAMESPACES = NAMESPACE_SHARES.map(([namespace]) => namespace);
const SENSITIVE = ["prod-*", "payments", "kube-system"];
const OFFICE_IPS = ["192.168.1.10", "192.168.1.11", "192.168.1.12"];
const RARE_IPS = ["203.0.113.5", "203.0.113.77", "2001:db8::5"];
/** Cumulative weights: [value, share]. */
const VERBS: [string, number][] = [
  ["get", 35],
  ["list", 25],
  ["watch", 10],
  ["create", 10],
  ["patch", 12],
  ["delete", 8],
];
const RESOURCES: [string, number][] = [
  ["pods", 40],
  ["configmaps", 20],
  ["deployments", 20],
  ["secrets", 12],
  ["roles", 8],
];
const API_GROUPS: Record<string, string> = { deployments: "apps", roles: "rbac.authorization.k8s.io" };

/** A small seeded generator (mulberry32), so every run writes the same stream. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(42);
const pick = <T>(values: readonly T[]) => values[Math.floor(rand() * values.length)]!;
function weighted(table: [string, number][]): string {
  const total = table.reduce((sum, [, w]) => sum + w, 0);
  let r = rand() * total;
  for (const [value, w] of table) {
    r -= w;
    if (r < 0) return value;
  }
  return table.at(-1)![0];
}

/**
 * One gateway request as the gateway writes it: a start record once admitted, then the end
 * record (a refusal by the broker has only the end record). About 1% are execs, 2% refused.
 */
function request(ts: number, overrides: Partial<RequestAuditRecord> = {}): AuditRecord[] {
  const userIndex = Math.floor(rand() * USERS.length);
  const user = USERS[userIndex]!;
  const exec = rand() < 0.01;
  const resource = exec ? "pods" : weighted(RESOURCES);
  const verb = exec ? "create" : weighted(VERBS);
  const namespace = weighted(NAMESPACE_SHARES);
  const roll = rand();
  const decision =
    roll < 0.01 ? "denied-by-broker" : roll < 0.02 ? "denied-by-cluster" : roll < 0.022 ? "error" : "allowed";
  const status =
    decision === "allowed" ? (verb === "create" ? "201" : "200") : decision === "error" ? "502" : "403";
  const ipRoll = rand();
  const sourceIp =
    ipRoll < 0.005 ? pick(RARE_IPS) : ipRoll < 0.3 ? pick(OFFICE_IPS) : `10.8.0.${userIndex + 2}`;
  const durationMs = verb === "watch" || exec ? 60_000 : 2 + Math.floor(rand() * 40);
  const end = requestRecord({
    ts: new Date(ts).toISOString(),
    cluster: userIndex % 5 === 0 ? "prod-eu" : "prod-us",
    user: user.name,
    groups: user.groups,
    grant: `g-${userIndex}`,
    role: verb === "get" || verb === "list" || verb === "watch" ? "view" : "edit",
    serviceAccount: `kb-${userIndex}`,
    verb,
    apiGroup: API_GROUPS[resource] ?? "",
    apiVersion: "v1",
    resource,
    subresource: exec ? "exec" : "",
    namespace,
    name: verb === "list" || verb === "watch" ? "" : `${resource}-${Math.floor(rand() * 50)}`,
    path: `/api/v1/namespaces/${namespace}/${resource}`,
    status,
    durationMs: String(durationMs),
    sourceIp,
    decision,
    ...overrides,
  });
  if (end.decision === "denied-by-broker") return [end];
  const start: RequestAuditRecord = {
    ...end,
    phase: "start",
    ts: overrides.ts ?? new Date(ts - durationMs).toISOString(),
    status: "",
    durationMs: "",
    decision: "allowed",
  };
  return [start, end];
}

const LIFECYCLE_EVENTS = ["token.issued", "token.issued", "login", "grant.started", "grant.ended"] as const;

// ---- The rules: the defaults, and 50 of the site's own --------------------------------------

const plain = (name: string, match: Record<string, unknown>, severity = "warning") => ({
  name,
  severity,
  description: `custom rule ${name}`,
  match,
});
const WRITES = ["create", "update", "patch", "delete"];
const customRules = [
  // 30 plain matches.
  plain("delete-in-prod", { namespace: "prod-*", verb: "delete", decision: "allowed" }, "critical"),
  plain("secret-written", { resource: "secrets", verb: WRITES, decision: "allowed" }),
  plain("payments-configmap-deleted", { namespace: "payments", resource: "configmaps", verb: "delete" }),
  plain("contractor-writes", { user: "contractor-*@example.com", verb: WRITES }),
  plain("external-source", { sourceIp: ["203.0.113.0/24", "198.51.100.0/24"] }, "critical"),
  plain("refused-in-prod", { namespace: "prod-*", decision: "denied-by-cluster" }),
  plain("upstream-errors", { statusClass: "5xx" }, "info"),
  plain("role-binding-written", { resource: ["rolebindings", "clusterrolebindings"], verb: WRITES }),
  plain("port-forward", { subresource: "portforward" }),
  plain("attach", { subresource: "attach" }),
  plain("kube-system-writes", { namespace: "kube-system", verb: WRITES, decision: "allowed" }, "critical"),
  plain("deployment-deleted", { apiGroup: "apps", resource: "deployments", verb: "delete" }),
  plain("ci-exec", { user: "ci-*", subresource: "exec" }, "critical"),
  plain("intern-lists-secrets", { user: "intern-*", resource: "secrets", verb: "list" }),
  plain("secret-watch", { resource: "secrets", verb: "watch" }, "info"),
  plain("payments-pod-deleted", { namespace: "payments", resource: "pods", verb: "delete" }),
  plain("vpn-deletes", { sourceIp: "10.8.0.0/16", verb: "delete", namespace: ["prod-*", "payments"] }),
  plain("ipv6-doc-range", { sourceIp: "2001:db8::/32" }),
  plain("edit-grant-started", { event: "grant.started", role: "edit" }, "info"),
  plain("admin-login", { event: "login", user: "admin*" }, "info"),
  plain("approved", { event: "request.approved" }, "info"),
  plain("prod-token", { event: "token.issued", cluster: "prod-eu", user: "contractor-*" }),
  plain("session-revoked", { event: "session.revoked" }),
  plain("prod-deploy-patched-by-hand", {
    namespace: "prod-*",
    resource: "deployments",
    verb: "patch",
    user: "dev*",
  }),
  plain("credentials-secret", { resource: "secrets", name: "*-credentials" }),
  plain("contractor-writes-sensitive", { group: "contractors", namespace: SENSITIVE, verb: WRITES }),
  plain("eu-deletes", { cluster: "prod-eu", verb: "delete", resource: ["deployments", "secrets"] }),
  plain("forbidden-secrets", { resource: "secrets", statusClass: "4xx" }),
  plain("svc-in-sensitive", { user: "svc-*", namespace: SENSITIVE }),
  plain("exec-by-contractor", { subresource: "exec", group: "contractors" }, "critical"),
  // 10 thresholds.
  { ...plain("delete-burst", { verb: "delete" }), threshold: { count: 10, window: 60, groupBy: "user" } },
  {
    ...plain("secret-read-burst", { resource: "secrets", verb: "get" }),
    threshold: { count: 50, window: 300, groupBy: "user" },
  },
  {
    ...plain("refusals-per-namespace", { decision: ["denied-by-broker", "denied-by-cluster"] }),
    threshold: { count: 30, window: 300, groupBy: "namespace" },
  },
  {
    ...plain("busy-source", { type: "request" }),
    threshold: { count: 2000, window: 60, groupBy: "sourceIp" },
  },
  { ...plain("exec-burst", { subresource: "exec" }), threshold: { count: 5, window: 600, groupBy: "user" } },
  { ...plain("patch-storm", { verb: "patch" }), threshold: { count: 100, window: 60, groupBy: "namespace" } },
  { ...plain("list-burst", { verb: "list" }), threshold: { count: 500, window: 60, groupBy: "user" } },
  {
    ...plain("errors-per-namespace", { statusClass: "5xx" }),
    threshold: { count: 10, window: 300, groupBy: "namespace" },
  },
  {
    ...plain("configmap-churn", { resource: "configmaps", verb: WRITES }),
    threshold: { count: 50, window: 300, groupBy: "user" },
  },
  {
    ...plain("refusals-per-source", { decision: "denied-by-broker" }),
    threshold: { count: 20, window: 120, groupBy: "sourceIp" },
  },
  // 5 first-seen.
  { ...plain("new-namespace", { type: "request" }), firstSeen: { of: "namespace", days: 30 } },
  { ...plain("new-cluster", { type: "request" }), firstSeen: { of: "cluster", days: 90 } },
  { ...plain("new-source-in-prod", { namespace: "prod-*" }), firstSeen: { of: "sourceIp", days: 14 } },
  { ...plain("new-secret-namespace", { resource: "secrets" }), firstSeen: { of: "namespace", days: 7 } },
  { ...plain("new-exec-source", { subresource: "exec" }), firstSeen: { of: "sourceIp", days: 30 } },
  // 5 schedules. They judge each record's own time (the last 24 hours), so how many alerts
  // they fire, and so the alert count, depends on the weekday and hour of the run.
  {
    ...plain("prod-writes-off-hours", { namespace: "prod-*", verb: WRITES }),
    schedule: {
      timeZone: "Europe/Berlin",
      outside: "07:00-20:00",
      weekdays: ["mon", "tue", "wed", "thu", "fri"],
    },
  },
  {
    ...plain("secret-read-at-night", { resource: "secrets", verb: ["get", "list"] }),
    schedule: { timeZone: "UTC", outside: "06:00-22:00" },
  },
  {
    ...plain("exec-at-weekends", { subresource: "exec" }),
    schedule: { timeZone: "UTC", outside: "00:00-24:00", weekdays: ["mon", "tue", "wed", "thu", "fri"] },
  },
  {
    ...plain("payments-off-hours", { namespace: "payments", verb: WRITES }),
    schedule: { timeZone: "America/New_York", outside: "08:00-18:00" },
  },
  {
    ...plain("login-late", { event: "login" }),
    schedule: { timeZone: "Asia/Tokyo", outside: "06:00-23:00" },
  },
];
if (customRules.length !== 50) throw new Error(`${customRules.length} custom rules, not 50`);

const redis = await startRedis();
const client = redis.client();
const alertsConfig = (keyPrefix: string) =>
  testConfig({
    redis: { url: redis.url, keyPrefix },
    alerts: { sensitiveNamespaces: SENSITIVE, rules: customRules },
  });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU seconds Redis has used so far (INFO cpu). */
async function redisCpu(): Promise<number> {
  const info = await client.info("cpu");
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return field("used_cpu_sys") + field("used_cpu_user");
}

/** Whether `group` has read `stream` to its last entry and acknowledged all of it. */
async function consumed(stream: string, group: string): Promise<boolean> {
  const last = (await client.xrevrange(stream, "+", "-", "COUNT", 1))[0]?.[0];
  const groups = (await client.call("xinfo", "GROUPS", stream)) as unknown[][];
  for (const fields of groups) {
    const info = Object.fromEntries(
      Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i], fields[2 * i + 1]]),
    );
    if (info.name === group) return info["last-delivered-id"] === last && Number(info.pending) === 0;
  }
  return false;
}

// ---- 1. Throughput --------------------------------------------------------------------------

const log = auditKeys(redis.keyPrefix, 1).shards[0]!.log;
const now = Date.now();
let records = 0;
let started = performance.now();
for (let written = 0; written < REQUESTS; ) {
  const pipeline = client.pipeline();
  for (let i = 0; i < 1000 && written < REQUESTS; i++, written++) {
    // A day's requests, oldest first, as the gateway appends them.
    const ts = now - DAY + Math.floor((written * DAY) / REQUESTS);
    const batch = request(ts);
    if (written % 100 === 0) {
      const user = pick(USERS);
      batch.push(
        lifecycleRecord({
          ts: new Date(ts).toISOString(),
          event: pick(LIFECYCLE_EVENTS),
          user: user.name,
          groups: user.groups,
          role: pick(["view", "edit", "cluster-reader"]),
        }),
      );
    }
    for (const record of batch) pipeline.xadd(log, "*", ...toStreamFields(record));
    records += batch.length;
  }
  await pipeline.exec();
}
console.log(
  `wrote ${REQUESTS.toLocaleString("en")} requests as ${records.toLocaleString("en")} records in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

interface Run {
  seconds: number;
  nodeCpu: number;
  redisCpu: number;
  perSecond: number;
  perCpuSecond: number;
}

/** Reads the whole stream through a fresh kb-alerts group with this evaluator, to the end. */
async function evaluateAll(evaluator: AlertEvaluator, leaseKey: string): Promise<Run> {
  await client.call("xgroup", "DESTROY", log, EVALUATE_GROUP).catch(() => {});
  // The worker would make it at the stream's end; this run reads what is there.
  await client.call("xgroup", "CREATE", log, EVALUATE_GROUP, "0");
  const connection = dedicatedConnection(client);
  if (connection.status !== "ready") await new Promise((resolve) => connection.once("ready", resolve));
  const worker = new EvaluationWorker({
    redis: client,
    connection,
    log,
    leaseKey,
    holder: "bench",
    evaluator,
    logger: silentLogger(),
    blockMs: 100,
  });
  const redisBefore = await redisCpu();
  const cpuBefore = process.cpuUsage();
  const t = performance.now();
  worker.start();
  while (!(await consumed(log, EVALUATE_GROUP))) await sleep(20);
  const seconds = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const redisAfter = await redisCpu();
  await worker.stop();
  const nodeCpu = (cpu.user + cpu.system) / 1e6;
  const redisSeconds = redisAfter - redisBefore;
  return {
    seconds,
    nodeCpu,
    redisCpu: redisSeconds,
    perSecond: records / seconds,
    perCpuSecond: records / (nodeCpu + redisSeconds),
  };
}

const throughputConfig = alertsConfig(redis.keyPrefix);
const rules = effectiveRules(throughputConfig);
const baseline = await evaluateAll(
  new AlertEvaluator({
    rules: [],
    store: new RedisAlertStore({ redis: client, keyPrefix: redis.keyPrefix }),
    clock: systemClock,
  }),
  "bench:lease:baseline",
);
console.log(`read alone in ${baseline.seconds.toFixed(1)} s`);
const withRules = await evaluateAll(
  new AlertEvaluator({
    rules,
    store: new RedisAlertStore({ redis: client, keyPrefix: redis.keyPrefix }),
    clock: systemClock,
  }),
  "bench:lease:rules",
);
const alertLog = alertLogKeys(redis.keyPrefix).log;
const fired = await client.xlen(alertLog);
const firedByRule = new Map<string, number>();
for (let from = "-"; ; ) {
  const page = (await client.xrange(alertLog, from, "+", "COUNT", 5000)) as [string, string[]][];
  for (const [, fields] of page) {
    const alert = JSON.parse(fields[fields.indexOf("alert") + 1]!) as Alert;
    firedByRule.set(alert.rule, (firedByRule.get(alert.rule) ?? 0) + 1);
  }
  if (page.length < 5000) break;
  from = `(${page.at(-1)![0]}`;
}
console.log(
  `evaluated ${rules.length} rules (${rules.length - customRules.length} default, ${customRules.length} custom) in ${withRules.seconds.toFixed(1)} s; ${fired.toLocaleString("en")} alerts fired from ${firedByRule.size} rules`,
);
console.log(
  `  most: ${[...firedByRule]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([rule, n]) => `${rule} ${n}`)
    .join(", ")}`,
);
await redis.clear();

// ---- 2. Latency: record appended → alert handed to delivery ---------------------------------

const latencyPrefix = `${redis.keyPrefix}latency:`;
const latencyLog = auditKeys(latencyPrefix, 1).shards[0]!.log;
const latencyAlertLog = alertLogKeys(latencyPrefix).log;
const writer = redis.client();
/** Alert id → ms from its record's XADD to deliver(); only those of the timed span count. */
const delivered = new Map<string, { probe: boolean; ms: number }>();
let measuring = false;
const alerts = createAlerts({
  config: alertsConfig(latencyPrefix),
  redis: client,
  replica: "bench",
  clock: systemClock,
  logger: silentLogger(),
  metrics: new Registry(),
  lifecycle: new RecordingLifecycle(),
  delivery: {
    async deliver(alert) {
      const at = Date.now();
      if (!measuring) return;
      // A probe: an exec into a prod-<i> of its own, which only the probes write.
      const probe = alert.rule === "exec-in-sensitive-namespace" && /^prod-\d+$/.test(alert.record.namespace);
      delivered.set(alert.id, { probe, ms: at - Date.parse(alert.record.ts) });
    },
  },
  responder: {
    async respond(alert) {
      return { action: alert.action.kind, dryRun: alert.action.dryRun, outcome: "done", detail: "" };
    },
  },
});
await alerts.start();
await alertGroupsReady(client, latencyPrefix);

/** Appends records stamped with the time of their XADD. */
async function append(batch: AuditRecord[]): Promise<void> {
  const pipeline = writer.pipeline();
  const ts = new Date().toISOString();
  for (const record of batch) pipeline.xadd(latencyLog, "*", ...toStreamFields({ ...record, ts }));
  await pipeline.exec();
}

async function settled(): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (
    !(await consumed(latencyLog, EVALUATE_GROUP)) ||
    !(await consumed(latencyAlertLog, DISPATCH_GROUP))
  ) {
    if (Date.now() > deadline) throw new Error("the alerts did not settle within 30 s");
    await sleep(50);
  }
}

// Warm-up: every user, namespace and source IP once, so what fires in the timed span is what
// a running broker sees (not each first sighting of the run), and the workers' groups exist.
for (const [u, user] of USERS.entries()) {
  for (const namespace of NAMESPACES) {
    for (const sourceIp of [...OFFICE_IPS, `10.8.0.${u + 2}`]) {
      await append(request(0, { user: user.name, groups: user.groups, namespace, sourceIp }));
    }
  }
}
await append([lifecycleRecord()]);
await settled();

// Timed span: RATE records/s; 2% of the requests an exec into a sensitive namespace of its own.
measuring = true;
let probes = 0;
let appended = 0;
started = performance.now();
while (performance.now() - started < LATENCY_SECONDS * 1000) {
  const due = Math.floor(((performance.now() - started) / 1000) * RATE);
  const batch: AuditRecord[] = [];
  while (appended + batch.length < due) {
    if (rand() < PROBE_SHARE) {
      probes++;
      batch.push(
        ...request(0, {
          verb: "create",
          resource: "pods",
          subresource: "exec",
          namespace: `prod-${probes}`,
          decision: "allowed",
          status: "101",
        }),
      );
    } else batch.push(...request(0));
  }
  appended += batch.length;
  if (batch.length > 0) await append(batch);
  await sleep(5);
}
const appendSeconds = (performance.now() - started) / 1000;
await settled();
measuring = false;
await alerts.stop();

const latencies = [...delivered.values()].map((d) => d.ms);
const latency = summarize(latencies);
const probeLatency = summarize([...delivered.values()].filter((d) => d.probe).map((d) => d.ms));
if (probeLatency.n !== probes) {
  console.log(
    `odd: ${probes} execs into a prod-<i> of their own, but ${probeLatency.n} of their alerts delivered`,
  );
}
console.log(
  `appended ${appended.toLocaleString("en")} records in ${appendSeconds.toFixed(1)} s (${Math.round(appended / appendSeconds)}/s); ${delivered.size} alerts delivered, ${probeLatency.n} of them for the ${probes} probe execs`,
);

const rate = (value: number) => `${Math.round(value).toLocaleString("en")}/s`;
const perCpu = (run: Run) => `${Math.round(run.perCpuSecond).toLocaleString("en")}/CPU-s`;
printTable(`alert rules over ${records.toLocaleString("en")} audit records (one shard)`, [
  { what: "read alone (XREADGROUP + parse + ack), records", p50: rate(baseline.perSecond), ratio: "1.00×" },
  {
    what: `${rules.length} rules (9 default + 50), records`,
    p50: rate(withRules.perSecond),
    ratio: times(withRules.perSecond / baseline.perSecond),
  },
  { what: "read alone, records per CPU second", p50: perCpu(baseline), ratio: "1.00×" },
  {
    what: `${rules.length} rules, records per CPU second`,
    p50: perCpu(withRules),
    ratio: times(withRules.perCpuSecond / baseline.perCpuSecond),
  },
  {
    what: `record → delivery, ${latency.n} alerts at ${RATE} records/s`,
    p50: ms(latency.p50),
    p99: ms(latency.p99),
    target: "p99 ≤ 2000 ms",
  },
  {
    what: `  of them the probe execs' exec-in-sensitive-namespace`,
    p50: ms(probeLatency.p50),
    p99: ms(probeLatency.p99),
  },
]);
printResult("alerts", {
  records,
  rules: rules.length,
  baselinePerSecond: Math.round(baseline.perSecond),
  baselinePerCpuSecond: Math.round(baseline.perCpuSecond),
  baselineCpu: { node: round(baseline.nodeCpu), redis: round(baseline.redisCpu) },
  rulesPerSecond: Math.round(withRules.perSecond),
  rulesPerCpuSecond: Math.round(withRules.perCpuSecond),
  rulesCpu: { node: round(withRules.nodeCpu), redis: round(withRules.redisCpu) },
  ratio: round(withRules.perSecond / baseline.perSecond, 3),
  cpuRatio: round(withRules.perCpuSecond / baseline.perCpuSecond, 3),
  alertsFired: fired,
  latencyAlerts: latency.n,
  p50Ms: round(latency.p50, 1),
  p99Ms: round(latency.p99, 1),
  maxMs: round(latency.max, 1),
});
writer.disconnect();
client.disconnect();
await redis.close();
