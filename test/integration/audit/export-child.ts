/**
 * An export worker in its own process, so a test can SIGKILL it between delivering a batch
 * and acknowledging it. It prints "delivered <n>" after each batch reached the file and
 * then holds the batch (unacknowledged) for HOLD_MS.
 */
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { auditKeys } from "../../../src/audit/audit-keys.ts";
import { createAuditMetrics } from "../../../src/audit/audit-metrics.ts";
import { dedicatedConnection } from "../../../src/audit/connection.ts";
import { AuditExporter } from "../../../src/audit/export/audit-exporter.ts";
import { FileSink } from "../../../src/audit/export/export-sinks.ts";
import { silentLogger } from "../../../src/shared/logger.ts";

const env = process.env;
const redis = new Redis(env.REDIS_URL!);
const file = new FileSink({ path: env.EXPORT_FILE! });
const exporter = new AuditExporter({
  redis,
  connection: dedicatedConnection(redis),
  keys: auditKeys(env.KEY_PREFIX!),
  shard: 0,
  metrics: createAuditMetrics(new Registry()),
  logger: silentLogger(),
  holder: "child",
  leaseTtlMs: Number(env.LEASE_TTL_MS),
  batch: Number(env.BATCH),
  sink: {
    kind: "file",
    async deliver(entries, signal) {
      await file.deliver(entries);
      process.stdout.write(`delivered ${entries.length}\n`);
      await new Promise((resolve) => setTimeout(resolve, Number(env.HOLD_MS)));
      signal.throwIfAborted();
    },
  },
});
exporter.start();
