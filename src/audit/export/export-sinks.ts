import { type FileHandle, mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import type { Writable } from "node:stream";
import type { AuditConfig } from "../../config/schema.ts";
import type { AuditEntry } from "../record-fields.ts";
import { Serial } from "../write/serial.ts";
import { toK8sAuditEventList } from "./k8s-audit-events.ts";

/**
 * Where the export worker delivers records. `deliver` resolves only once the batch is
 * durably handed over (the worker acknowledges the stream entries after it), and throws
 * to have the same batch retried.
 */
export interface ExportSink {
  /** For metrics and logs: stdout, file, webhook. */
  readonly kind: string;
  deliver(entries: readonly AuditEntry[], signal: AbortSignal): Promise<void>;
  /**
   * A finished session recording (src/recording): one JSON object, `{kind:
   * "session-recording", recording, cast}`, with the asciicast text whole. Absent where the
   * sink cannot take one (a webhook that speaks Kubernetes audit events).
   */
  deliverRecording?(recording: ExportedRecording, signal: AbortSignal): Promise<void>;
  close?(): Promise<void>;
}

/** What a sink receives of a finished recording: its meta and its asciicast v2 text. */
export interface ExportedRecording {
  recording: Record<string, unknown>;
  cast: string;
}

const recordingLine = (exported: ExportedRecording) =>
  `${JSON.stringify({ kind: "session-recording", ...exported })}\n`;

/**
 * The sink shared by the shards' export workers, taking one batch at a time: a file sink
 * opened twice at once, or two webhook posts racing, would interleave or reorder lines.
 * Closing is left to whoever made the sink, once every worker has stopped.
 */
export function oneBatchAtATime(sink: ExportSink): ExportSink {
  const serial = new Serial();
  const deliverRecording = sink.deliverRecording?.bind(sink);
  return {
    kind: sink.kind,
    deliver: (entries, signal) => serial.run(() => sink.deliver(entries, signal)),
    ...(deliverRecording
      ? { deliverRecording: (recording, signal) => serial.run(() => deliverRecording(recording, signal)) }
      : {}),
  };
}

const jsonLines = (entries: readonly AuditEntry[]) =>
  entries.map((entry) => `${JSON.stringify(entry)}\n`).join("");

/** JSON lines on stdout, for a log shipper that reads the container's output. */
export class StreamSink implements ExportSink {
  readonly kind = "stdout";
  readonly #stream: Writable;

  constructor(options: { stream?: Writable } = {}) {
    this.#stream = options.stream ?? process.stdout;
  }

  deliver(entries: readonly AuditEntry[]): Promise<void> {
    return this.#write(jsonLines(entries));
  }

  deliverRecording(exported: ExportedRecording): Promise<void> {
    return this.#write(recordingLine(exported));
  }

  #write(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#stream.write(text, (err) => (err ? reject(err) : resolve()));
    });
  }
}

/** JSON lines appended to a file, synced before the batch counts as delivered. */
export class FileSink implements ExportSink {
  readonly kind = "file";
  readonly #path: string;
  #file: FileHandle | undefined;

  constructor(options: { path: string }) {
    this.#path = options.path;
  }

  deliver(entries: readonly AuditEntry[]): Promise<void> {
    return this.#append(jsonLines(entries));
  }

  deliverRecording(exported: ExportedRecording): Promise<void> {
    return this.#append(recordingLine(exported));
  }

  async #append(text: string): Promise<void> {
    if (!this.#file) {
      await mkdir(dirname(this.#path), { recursive: true });
      this.#file = await open(this.#path, "a", 0o600);
    }
    await this.#file.write(text);
    await this.#file.datasync();
  }

  async close(): Promise<void> {
    await this.#file?.close();
    this.#file = undefined;
  }
}

/** What a webhook batch is sent as: our records as they are, or a Kubernetes audit EventList. */
export type WebhookFormat = "json" | "k8s-audit";

/** The POST body for a batch, or undefined when the format keeps none of its records. */
function webhookBody(format: WebhookFormat, entries: readonly AuditEntry[]): string | undefined {
  if (format === "json") return JSON.stringify(entries);
  const list = toK8sAuditEventList(entries);
  // kube-apiserver never posts an empty EventList; a batch of start or lifecycle records
  // is simply done (and acknowledged).
  return list.items.length > 0 ? JSON.stringify(list) : undefined;
}

/** POSTs each batch as a JSON array (or an EventList); anything but a 2xx is a failure to retry. */
export class WebhookSink implements ExportSink {
  readonly kind = "webhook";
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #format: WebhookFormat;

  constructor(options: {
    url: string;
    headers?: Record<string, string>;
    timeoutMs?: number;
    format?: WebhookFormat;
  }) {
    this.#url = options.url;
    this.#headers = options.headers ?? {};
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#format = options.format ?? "json";
  }

  async deliver(entries: readonly AuditEntry[], signal: AbortSignal): Promise<void> {
    const body = webhookBody(this.#format, entries);
    if (body === undefined) return;
    await this.#post(body, signal);
  }

  /** The recording as one POST (json format only: a Kubernetes audit backend has no place for it). */
  async deliverRecording(exported: ExportedRecording, signal: AbortSignal): Promise<void> {
    if (this.#format !== "json") return;
    await this.#post(recordingLine(exported), signal);
  }

  async #post(body: string, signal: AbortSignal): Promise<void> {
    const response = await fetch(this.#url, {
      method: "POST",
      headers: { ...this.#headers, "content-type": "application/json" },
      body,
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.#timeoutMs)]),
    });
    // Drain the body so the keep-alive connection can be reused.
    await response.arrayBuffer().catch(() => {});
    // The URL is not in the message: a webhook URL often carries its own secret.
    if (!response.ok) throw new Error(`the audit webhook answered ${response.status}`);
  }
}

/** The sink the config asks for; undefined for `kind: none`. */
export function createExportSink(config: AuditConfig["export"], env: NodeJS.ProcessEnv = process.env) {
  switch (config.kind) {
    case "none":
      return undefined;
    case "stdout":
      return new StreamSink();
    case "file":
      return new FileSink({ path: config.path });
    case "webhook":
      return new WebhookSink({
        url: config.url,
        headers: webhookHeaders(config.headersEnv, env),
        format: config.format ?? "json",
      });
  }
}

/** Extra headers (an Authorization for the SIEM) come from an env variable holding a JSON object. */
function webhookHeaders(name: string | undefined, env: NodeJS.ProcessEnv): Record<string, string> {
  if (!name) return {};
  const raw = env[name];
  if (raw === undefined) throw new Error(`audit.export.headersEnv: environment variable ${name} is not set`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const valid =
    parsed !== null &&
    typeof parsed === "object" &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((v) => typeof v === "string");
  if (!valid) {
    throw new Error(
      `audit.export.headersEnv: ${name} must hold a JSON object of header names to string values`,
    );
  }
  return parsed as Record<string, string>;
}
