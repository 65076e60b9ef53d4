/**
 * The gateway: kubectl traffic for /clusters/<name>/… on the broker's listener.
 *
 * Each request is admitted first (admission.ts: path parsed the API server's way, no
 * impersonation, a valid token of a kube-broker ServiceAccount, an active grant). Then its
 * `start` audit record must be accepted (fail-closed: Redis acknowledged it; buffered: Redis
 * or the local spool) before a single byte goes upstream; refusals are Kubernetes Status
 * answers and are audited too. Ordinary requests, watches and log streams go through
 * http-proxy over a keep-alive agent, bodies streamed both ways and no timeouts; WebSocket
 * upgrades (exec, attach, port-forward) through http-proxy's ws(); SPDY upgrades, which
 * http-proxy cannot carry, through our own socket pipe. Upstream, the request carries the
 * grant's server-held API-audience token (gateway mode) or the presented one (api mode),
 * never the client's other credentials. Every open connection is registered under its grant
 * and cut at the deadline or when any replica announces the grant's end. The `end` audit
 * record carries status, duration and byte counts.
 */
import type { ClientRequest, IncomingMessage, ServerResponse } from "node:http";
import { type Duplex, Readable } from "node:stream";
import httpProxy from "http-proxy";
import type { AuditWriter } from "../audit/index.ts";
import type { Grant } from "../grants/index.ts";
import { writeSocketStatus, writeStatus } from "../http/status-writer.ts";
import type { Clock } from "../shared/clock.ts";
import { BadGateway, GatewayTimeout, type KubernetesStatus } from "../shared/errors.ts";
import { randomId } from "../shared/ids.ts";
import type { Logger } from "../shared/logger.ts";
import { type Admitted, type ApiTokenSource, admit, type GatewayCluster } from "./admission.ts";
import { auditRecord, decisionFor, type RequestContext } from "./audit-fields.ts";
import type { ClusterLocator } from "./cluster-locator.ts";
import type { ConnectionRegistry } from "./connection-registry.ts";
import type { GatewayMetrics } from "./gateway-metrics.ts";
import type { GrantResolver } from "./grant-resolver.ts";
import { type ForwardBody, type GuardDeps, guardStep } from "./guard/guard-step.ts";
import { upstreamHeaders } from "./headers.ts";
import { lostToKeepAliveRace } from "./keep-alive-race.ts";
import { auditVerb, type RequestAttributes } from "./request-attributes.ts";
import { isAmendable, relayAmendedStatus, tapCreated, writeHead } from "./response-relay.ts";
import type { SessionControl, SessionRecordings, SessionTap } from "./session-recording.ts";
import { type PipeHandle, pipeUpgrade } from "./spdy-pipe.ts";
import { StreamRelay } from "./stream-relay.ts";
import { targetOf } from "./upstream.ts";
import { webSocketTunnel } from "./websocket-tunnel.ts";

export interface GatewayOptions {
  clusters: Map<string, GatewayCluster>;
  resolver: GrantResolver;
  apiTokens: ApiTokenSource;
  audit: AuditWriter;
  connections: ConnectionRegistry;
  metrics: GatewayMetrics;
  logger: Logger;
  clock: Clock;
  trustProxy: boolean;
  /** What to add to a cluster's 403: what the person holds, and how to get further. */
  refusalHint(grant: Grant, attrs: RequestAttributes | undefined): string;
  /** The persistence guard's settings and time, for the requests it reads. */
  guard: GuardDeps;
  /** Recording of exec and attach sessions; none when absent. */
  recordings?: SessionRecordings;
}

/** http-proxy's options for writing an answer's head: none of its rewrites are used. */
const RELAY_OPTIONS: httpProxy.ServerOptions = {};

interface InFlight {
  ctx: RequestContext;
  status?: number;
  /** The request to the cluster, to cancel when the client's side goes away first. */
  upstream?: ClientRequest;
  /** A watch or followed log, relayed so that it can be ended with a reason. */
  relay?: StreamRelay;
  /** Where it was forwarded, kept for one retry on a fresh connection. */
  target?: httpProxy.ServerOptions;
  retried?: boolean;
}

export class GatewayProxy {
  readonly #options: GatewayOptions;
  readonly #proxy: httpProxy;
  readonly #inFlight = new WeakMap<IncomingMessage, InFlight>();
  /** Per-upgrade hooks for http-proxy's shared "proxyReqWs" event. */
  readonly #wsHooks = new WeakMap<IncomingMessage, (proxyReq: ClientRequest) => void>();

  constructor(options: GatewayOptions) {
    this.#options = options;
    // No proxyTimeout/timeout: watches, logs and exec stay open as long as the grant does.
    // The gateway writes answers itself (response-relay.ts) so that it can amend a refusal.
    this.#proxy = httpProxy.createProxyServer({
      changeOrigin: true,
      xfwd: false,
      ws: true,
      selfHandleResponse: true,
    });
    this.#proxy.on("proxyReq", (proxyReq, req) => {
      const flight = this.#inFlight.get(req);
      if (flight) flight.upstream = proxyReq;
    });
    this.#proxy.on("proxyRes", (proxyRes, req, res) => {
      const flight = this.#inFlight.get(req);
      if (flight) {
        flight.status = proxyRes.statusCode;
        proxyRes.on("data", (chunk: Buffer) => {
          flight.ctx.bytesOut += chunk.length;
        });
        const grant = flight.ctx.grant;
        if (proxyRes.statusCode === 403 && grant && !streamKind(flight.ctx) && isAmendable(proxyRes)) {
          const hint = () => this.#options.refusalHint(grant, flight.ctx.attrs);
          return relayAmendedStatus(req, res, proxyRes, RELAY_OPTIONS, hint);
        }
      }
      writeHead(req, res, proxyRes, RELAY_OPTIONS);
      if (flight?.ctx.attrs?.verb === "create" && (proxyRes.statusCode ?? 0) < 300) {
        tapCreated(proxyRes, (name) => {
          flight.ctx.createdName = name;
        });
      }
      const stream = flight && streamKind(flight.ctx);
      if (!flight || !stream) return void proxyRes.pipe(res);
      // A watch or a followed log may send nothing for a long time: answer its headers now
      // so the client knows it is open.
      res.flushHeaders();
      if (StreamRelay.fits(proxyRes, stream)) flight.relay = new StreamRelay(proxyRes, res, stream);
      else proxyRes.pipe(res);
    });
    this.#proxy.on("proxyReqWs", (proxyReq, req) => this.#wsHooks.get(req)?.(proxyReq));
    this.#proxy.on("error", (err, req, target) => this.#upstreamFailed(err, req, target));
  }

  async handle(req: IncomingMessage, res: ServerResponse, locate: ClusterLocator): Promise<void> {
    const ctx = this.#context(req);
    const admitted = await this.#admit(req, ctx, locate, (err) => writeStatus(res, err), true);
    if (!admitted) return;
    const flight: InFlight = { ctx };
    this.#inFlight.set(req, flight);
    const grant = ctx.grant!;
    const untrack = this.#options.connections.track(grant.id, grant.expiresAt, {
      stream: streamKind(ctx) !== undefined,
      close: (reason) => {
        ctx.endedBy = reason;
        if (flight.relay) flight.relay.cut(reason);
        else res.destroy();
        flight.upstream?.destroy();
      },
    });
    res.once("close", () => {
      untrack();
      // http-proxy cancels the cluster's side only on 'aborted', which a finished GET (a
      // watch, logs -f) never emits: without this, a closed watch would stay open upstream.
      if (!res.writableFinished) flight.upstream?.destroy();
      const status = flight.status ?? (res.headersSent ? res.statusCode : 499);
      this.#finish(req, ctx, status, decisionFor(status));
    });

    req.url = admitted.upstreamPath;
    req.headers = upstreamHeaders(req.headers, admitted.authorization, false);
    const upstream = admitted.cluster.upstream;
    const target = { ...targetOf(upstream), agent: upstream.agent };
    flight.target = target;
    const forward = admitted.forward;
    if (forward) {
      // The guard has read the body: what goes upstream is that body, or its rewrite.
      delete req.headers["transfer-encoding"];
      req.headers["content-length"] = String(forward.bytes.length);
      if (forward.contentType) req.headers["content-type"] = forward.contentType;
      ctx.bytesIn = forward.bytes.length;
      this.#proxy.web(req, res, { ...target, buffer: Readable.from([forward.bytes]) });
      return;
    }
    this.#proxy.web(req, res, target);
    req.on("data", (chunk: Buffer) => {
      ctx.bytesIn += chunk.length;
    });
  }

  async handleUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    locate: ClusterLocator,
  ): Promise<void> {
    const ctx = this.#context(req);
    socket.on("error", () => socket.destroy());
    const admitted = await this.#admit(req, ctx, locate, (err) => writeSocketStatus(socket, err));
    if (!admitted) return;
    const grant = ctx.grant!;
    const headers = upstreamHeaders(req.headers, admitted.authorization, true);
    const isWebSocket = req.method === "GET" && String(req.headers.upgrade).toLowerCase() === "websocket";
    // The tunnel exists once the recording has started: `cut` reaches it through this.
    let tunnel: PipeHandle | undefined;
    const cut = (reason: string) => {
      ctx.endedBy = reason;
      tunnel?.close(reason);
    };
    const control = { cut, pause: () => tunnel?.pause(), resume: () => tunnel?.resume() };
    let tap: SessionTap | undefined;
    try {
      tap = await this.#record(ctx, grant, isWebSocket ? "websocket" : "spdy", control);
    } catch (err) {
      const status = writeSocketStatus(socket, err);
      this.#finish(req, ctx, status.code, "error");
      return;
    }
    tunnel = isWebSocket
      ? webSocketTunnel({
          proxy: this.#proxy,
          req,
          socket,
          head,
          upstream: admitted.cluster.upstream,
          upstreamPath: admitted.upstreamPath,
          headers,
          onProxyRequest: (hook) => this.#wsHooks.set(req, hook),
          ...(tap ? { tap } : {}),
        })
      : pipeUpgrade(req, socket, head, admitted.cluster.upstream, admitted.upstreamPath, headers, tap);
    const opened = tunnel;

    const untrack = this.#options.connections.track(grant.id, grant.expiresAt, { stream: true, close: cut });
    socket.once("close", async () => {
      untrack();
      opened.close();
      const code = await opened.status;
      // A session the cluster refused (403, 404) never started: its recording says so.
      tap?.end(ctx.endedBy ?? (code === 101 ? undefined : `the cluster refused the session (HTTP ${code})`));
      const counted = opened.bytes();
      ctx.bytesIn = counted.in;
      ctx.bytesOut = counted.out;
      this.#finish(req, ctx, code, decisionFor(code === 101 ? 200 : code));
    });
  }

  /** The recording of an exec or attach, when the recordings feature is wired and records it. */
  #record(
    ctx: RequestContext,
    grant: Grant,
    transport: "websocket" | "spdy",
    control: SessionControl,
  ): Promise<SessionTap | undefined> {
    const subresource = ctx.attrs?.subresource;
    const recordings = this.#options.recordings;
    if (!recordings || ctx.attrs?.resource !== "pods" || (subresource !== "exec" && subresource !== "attach"))
      return Promise.resolve(undefined);
    return recordings.begin({ ctx, grant, transport }, control);
  }

  /**
   * Admission, then the start record: only when both succeed may the request go upstream.
   * Otherwise answers with `refuse` and writes the end record of the refusal.
   */
  async #admit(
    req: IncomingMessage,
    ctx: RequestContext,
    locate: ClusterLocator,
    refuse: (err: unknown) => KubernetesStatus,
    guarded = false,
  ): Promise<(Admitted & { forward?: ForwardBody }) | undefined> {
    try {
      const admitted = await admit(req, ctx, locate, this.#options);
      const forward = guarded ? await guardStep(req, ctx, admitted, this.#options.guard) : undefined;
      await this.#options.audit.append(
        auditRecord(req, ctx, "start", { decision: "allowed" }, this.#sourceIp(req), ctx.startedAt),
      );
      return forward ? { ...admitted, forward } : admitted;
    } catch (err) {
      const status = refuse(err);
      this.#finish(req, ctx, status.code, status.code >= 500 ? "error" : "denied-by-broker");
      return undefined;
    }
  }

  close(): void {
    this.#proxy.close();
    for (const cluster of this.#options.clusters.values()) cluster.upstream.agent.destroy();
  }

  #context(req: IncomingMessage): RequestContext {
    return {
      id: randomId(),
      startedAt: this.#options.clock.now(),
      cluster: "",
      rawPath: (req.url ?? "").split("?")[0] ?? "",
      query: new URLSearchParams(),
      bytesIn: 0,
      bytesOut: 0,
    };
  }

  /** The end record and metrics; the request is over, so a failed write is only logged. */
  #finish(
    req: IncomingMessage,
    ctx: RequestContext,
    status: number,
    decision: ReturnType<typeof decisionFor>,
  ) {
    const verb = ctx.attrs ? auditVerb(ctx.attrs) : "";
    const now = this.#options.clock.now();
    this.#options.metrics.request(ctx.cluster || "unknown", verb, status, (now - ctx.startedAt) / 1000);
    this.#options.audit
      .append(auditRecord(req, ctx, "end", { status, decision }, this.#sourceIp(req), now))
      .catch((err: unknown) =>
        this.#options.logger.error({ err: String(err), id: ctx.id }, "audit end record lost"),
      );
  }

  #upstreamFailed(err: Error, req: IncomingMessage, target: ServerResponse | Duplex | unknown): void {
    const flight = this.#inFlight.get(req);
    const code = (err as NodeJS.ErrnoException).code;
    if (flight?.target && !flight.retried && lostToKeepAliveRace(req, target, flight.upstream, code)) {
      flight.retried = true;
      this.#options.logger.debug(
        { id: flight.ctx.id },
        "the cluster closed a reused connection; retrying once",
      );
      // The client's request stream has ended already; an empty body ends the new one.
      this.#proxy.web(req, target, { ...flight.target, buffer: Readable.from([]) });
      return;
    }
    const failure =
      code === "ETIMEDOUT" || code === "ESOCKETTIMEDOUT"
        ? new GatewayTimeout(`the cluster "${flight?.ctx.cluster}" did not answer in time`)
        : new BadGateway(
            `the cluster "${flight?.ctx.cluster}" could not be reached${code ? ` (${code})` : ""}`,
          );
    this.#options.logger.warn({ err: err.message, code }, "upstream failure");
    if (flight) flight.status = failure.code;
    if (target && typeof (target as ServerResponse).writeHead === "function")
      writeStatus(target as ServerResponse, failure);
    else if (target) writeSocketStatus(target as Duplex, failure);
  }

  #sourceIp(req: IncomingMessage): string {
    if (this.#options.trustProxy) {
      const forwarded = String(req.headers["x-forwarded-for"] ?? "")
        .split(",")[0]
        ?.trim();
      if (forwarded) return forwarded;
    }
    return req.socket.remoteAddress ?? "";
  }
}

/** Watches and followed logs: answers that stay open and may be silent for long. */
function streamKind(ctx: RequestContext): "watch" | "log" | undefined {
  if (ctx.attrs?.verb === "watch") return "watch";
  if (ctx.attrs?.subresource === "log" && ctx.query.get("follow") === "true") return "log";
  return undefined;
}
