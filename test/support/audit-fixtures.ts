import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { Registry } from "prom-client";
import { type AuditKeys, auditKeys } from "../../src/audit/audit-keys.ts";
import { createAuditMetrics } from "../../src/audit/audit-metrics.ts";
import { dedicatedConnection, waitUntilReady } from "../../src/audit/connection.ts";
import type { LifecycleAuditRecord, RequestAuditRecord } from "../../src/audit/record.ts";
import { type AuditEntry, fromStreamFields } from "../../src/audit/record-fields.ts";
import { RedisAuditWriter, type RedisAuditWriterOptions } from "../../src/audit/write/redis-audit-writer.ts";
import type { AuditConfig } from "../../src/config/schema.ts";
import { silentLogger } from "../../src/shared/logger.ts";
import type { RedisHarness } from "../../tools/redis/redis-server.ts";

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "kb-audit-"));
}

export function auditConfig(overrides: Partial<AuditConfig> = {}): AuditConfig {
  return {
    mode: "fail-closed",
    retention: { maxAge: 30 * 86400, maxLength: 1_000_000 },
    spool: { path: join(tmpdir(), "kb-audit-unused", "spool.jsonl"), maxBytes: 1024 * 1024 },
    writeTimeout: 1,
    shards: 1,
    replicas: 0,
    export: { kind: "none" },
    ...overrides,
  };
}

let counter = 0;

/** A request record; `id` says which one it is, so tests can check order and duplicates. */
export function requestRecord(overrides: Partial<RequestAuditRecord> = {}): RequestAuditRecord {
  counter++;
  return {
    type: "request",
    phase: "end",
    ...common(`req-${counter}`),
    verb: "get",
    apiGroup: "",
    apiVersion: "v1",
    resource: "pods",
    subresource: "",
    namespace: "default",
    name: "",
    path: "/api/v1/namespaces/default/pods",
    query: "limit=500",
    status: "200",
    durationMs: "3",
    bytesIn: "0",
    bytesOut: "512",
    sourceIp: "127.0.0.1",
    userAgent: "kubectl/v1.32.0",
    kubectlCommand: "kubectl get",
    kubectlSession: "s1",
    decision: "allowed",
    detail: "",
    ...overrides,
  };
}

/** A lifecycle record: grant.started of a standing grant unless told otherwise. */
export function lifecycleRecord(overrides: Partial<LifecycleAuditRecord> = {}): LifecycleAuditRecord {
  counter++;
  return {
    type: "lifecycle",
    event: "grant.started",
    ...common(`evt-${counter}`),
    namespace: "default",
    detail: "",
    request: "",
    ...overrides,
  };
}

/** What every record says: which one, when, and whose grant. */
function common(id: string) {
  return {
    id,
    ts: new Date().toISOString(),
    cluster: "prod",
    user: "dev@example.com",
    groups: "developers",
    grant: "g1",
    role: "view",
    serviceAccount: "kb-dev-g1",
    // As records written before the field existed: tests of it set it.
    grantKind: "" as const,
  };
}

export interface TestWriter {
  writer: RedisAuditWriter;
  registry: Registry;
  keys: AuditKeys;
  stop(): Promise<void>;
}

/** A started writer on its own dedicated connection, as createAudit builds it. */
export async function startWriter(
  redis: RedisHarness,
  config: AuditConfig,
  extra: Partial<RedisAuditWriterOptions> = {},
): Promise<TestWriter> {
  const connection = dedicatedConnection(redis.client());
  await waitUntilReady(connection, 2000);
  const registry = new Registry();
  const keys = auditKeys(redis.keyPrefix, config.shards);
  const writer = new RedisAuditWriter({
    redis: connection,
    keys,
    config,
    metrics: createAuditMetrics(registry),
    logger: silentLogger(),
    ...extra,
  });
  await writer.start();
  return {
    writer,
    registry,
    keys,
    stop: async () => {
      await writer.stop();
      connection.disconnect();
    },
  };
}

export async function readStream(client: Redis, key: string): Promise<AuditEntry[]> {
  const entries = (await client.xrange(key, "-", "+")) as [string, string[]][];
  return entries.map(([id, fields]) => fromStreamFields(id, fields));
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The value of one metric series from a registry, 0 when absent. */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const match = values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return match?.value ?? 0;
}

/** How many observations a histogram has (for the batch-size histogram: round trips). */
export async function histogramCount(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.find((v) => (v as { metricName?: string }).metricName === `${name}_count`)?.value ?? 0;
}
