import type { LifecycleSink } from "../audit/index.ts";
import type { Config } from "../config/schema.ts";
import type { RequestContext, SessionControl, SessionRecordings, SessionTap } from "../gateway/index.ts";
import { type Grant, grantKind } from "../grants/index.ts";
import type { Clock } from "../shared/clock.ts";
import { Unavailable } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import { spdyChannelDecoder } from "./frames/spdy-streams.ts";
import { webSocketChannelDecoder } from "./frames/websocket-channels.ts";
import type { RecordingMetrics } from "./recording-metrics.ts";
import { recordingModeFor } from "./recording-policy.ts";
import type { RecordingMeta, RecordingStore } from "./recording-store.ts";
import type { ChannelDecoder, DecoderCallbacks } from "./session-event.ts";
import { SessionRecorder } from "./session-recorder.ts";

const FLUSH_MS = 200;

/**
 * Starts a recorder for each exec and attach the gateway admits, as the cluster's and the
 * role's `recording` say: its meta first (in `required` mode the session waits for that write
 * and is refused without it), then the tap that decodes the relayed bytes into it.
 */
export class RecordingSessions implements SessionRecordings {
  readonly #config: Config;
  readonly #store: RecordingStore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #metrics: RecordingMetrics;
  readonly #lifecycle: LifecycleSink;
  readonly #onFinished: ((id: string) => Promise<void>) | undefined;

  constructor(options: {
    config: Config;
    store: RecordingStore;
    clock: Clock;
    logger: Logger;
    metrics: RecordingMetrics;
    /** Where typed lines go as session.command records (recording.auditCommands). */
    lifecycle: LifecycleSink;
    /** A recording was finished and written whole (the export queues it). */
    onFinished?: (id: string) => Promise<void>;
  }) {
    this.#config = options.config;
    this.#store = options.store;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#metrics = options.metrics;
    this.#lifecycle = options.lifecycle;
    this.#onFinished = options.onFinished;
  }

  async begin(
    session: { ctx: RequestContext; grant: Grant; transport: "websocket" | "spdy" },
    control: SessionControl,
  ): Promise<SessionTap | undefined> {
    const { ctx, grant, transport } = session;
    const mode = recordingModeFor(this.#config, grant.cluster, grant.role);
    if (mode === "off") return undefined;
    const meta = metaOf(ctx, grant, transport, mode, this.#clock.now());
    // Required: the session waits for its recording to exist, and is refused without it.
    // Best-effort: it does not wait (no round trip before the session); the recorder's first
    // write waits instead, and a recording that could not start is simply not kept.
    const started = this.#store.start(meta).catch((err: unknown) => {
      this.#metrics.failures.inc({ mode });
      if (mode === "required") {
        throw new Unavailable(
          "this session must be recorded, and its recording cannot be started now (the recording store is unavailable); try again shortly",
          { cause: err },
        );
      }
      this.#logger.warn(
        { err, recording: meta.id },
        "session not recorded: its recording could not be started",
      );
      throw err;
    });
    if (mode === "required") await started;
    else started.catch(() => {}); // the recorder's first write learns of it
    this.#metrics.started.inc({ mode });
    const recorder = new SessionRecorder(meta, {
      started,
      store: this.#store,
      clock: this.#clock,
      maxBytes: this.#config.recording.maxSessionBytes,
      maxTypedLines: this.#config.recording.maxTypedLines,
      flushMs: FLUSH_MS,
      onRequiredFailure: (reason) => {
        this.#metrics.failures.inc({ mode });
        control.cut(reason);
      },
      flow: { pause: control.pause, resume: control.resume },
      onLost: (err) => {
        this.#metrics.failures.inc({ mode });
        this.#logger.warn({ err, recording: meta.id }, "part of a session recording was lost");
      },
      ...(this.#config.recording.auditCommands
        ? { onTypedLine: (line: string) => this.#command(grant, meta, line) }
        : {}),
    });
    return tapInto(recorder, transport, async (reason) => {
      try {
        await recorder.end(reason);
        await this.#onFinished?.(meta.id);
      } catch (err) {
        this.#logger.warn({ err, recording: meta.id }, "session recording ended with an error");
      }
    });
  }

  /** A typed line as an audit record: alert rules match it, the export carries it. */
  #command(grant: Grant, meta: RecordingMeta, line: string): void {
    this.#lifecycle
      .publish({
        event: "session.command",
        user: meta.user,
        groups: grant.principal.groups.join(","),
        cluster: meta.cluster,
        namespace: meta.namespace,
        grant: meta.grant,
        grantKind: grantKind(grant.origin),
        role: meta.role,
        serviceAccount: `${grant.serviceAccount.namespace}/${grant.serviceAccount.name}`,
        detail: line,
      })
      .catch((err: unknown) =>
        this.#logger.warn({ err, recording: meta.id }, "a typed command was not audited"),
      );
  }
}

/** The tap the gateway feeds: bytes → the transport's decoder → the recorder. */
function tapInto(
  recorder: SessionRecorder,
  transport: "websocket" | "spdy",
  finish: (reason: string | undefined) => Promise<void>,
): SessionTap {
  // A wire error before any event is most often the cluster refusing the upgrade (a 403
  // instead of a 101): held until the end, where the gateway's reason says which it was.
  let seen = false;
  let early: string | undefined;
  const callbacks: DecoderCallbacks = {
    onEvent: (event) => {
      seen = true;
      recorder.event(event);
    },
    onError: (message) => {
      if (seen) recorder.unreadable(message);
      else early ??= message;
    },
  };
  let decoder: ChannelDecoder | undefined = transport === "spdy" ? spdyChannelDecoder(callbacks) : undefined;
  let ended = false;
  return {
    negotiated(protocol) {
      decoder = webSocketChannelDecoder(protocol, callbacks);
    },
    fromClient(chunk) {
      decoder?.fromClient(chunk);
    },
    fromServer(chunk) {
      decoder?.fromServer(chunk);
    },
    end(reason) {
      if (ended) return;
      ended = true;
      // What the connection's end completes (SPDY's error stream) reaches the recorder first.
      decoder?.end();
      if (early && !reason) recorder.unreadable(early);
      void finish(reason);
    },
  };
}

function metaOf(
  ctx: RequestContext,
  grant: Grant,
  transport: "websocket" | "spdy",
  mode: RecordingMeta["mode"],
  now: number,
): RecordingMeta {
  const attrs = ctx.attrs!;
  const container = ctx.query.get("container") ?? undefined;
  return {
    id: ctx.id,
    user: grant.principal.name,
    grant: grant.id,
    grantKind: grantKind(grant.origin),
    role: grant.role,
    cluster: grant.cluster,
    namespace: attrs.namespace,
    pod: attrs.name,
    ...(container ? { container } : {}),
    command: ctx.query.getAll("command"),
    subresource: attrs.subresource === "attach" ? "attach" : "exec",
    tty: ["1", "true"].includes((ctx.query.get("tty") ?? "").toLowerCase()),
    protocol: transport,
    mode,
    startedAt: now,
    state: "recording",
    bytes: 0,
    truncated: false,
    lost: false,
  };
}
