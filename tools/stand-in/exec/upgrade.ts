/**
 * Connection upgrades on `pods/exec`, `pods/attach` and `pods/portforward`, after authentication
 * and RBAC. A WebSocket GET is authorized for `get` by the pipeline and, as since Kubernetes 1.35
 * (AuthorizePodWebsocketUpgradeCreatePermission, on by default), also for `create`; a SPDY
 * POST is a `create` already. Refusals are answered as HTTP errors before any 101.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { attributesOf, requireAllowed } from "../authz.ts";
import type { Core } from "../context.ts";
import type { KubeObject } from "../objects.ts";
import type { PodRef } from "../portforward/pod-ports.ts";
import type { UserInfo } from "../rbac/types.ts";
import type { RequestInfo } from "../request-info.ts";
import { badRequest } from "../status.ts";
import { MainProcesses } from "./main-process.ts";
import { remoteCommandOf } from "./remote-command-request.ts";
import { EXEC_PROTOCOLS, runExecSession } from "./session.ts";
import { serveSpdyRemoteCommand } from "./spdy-exec.ts";
import {
  PORT_FORWARD_PROTOCOLS,
  PORT_FORWARD_SPDY,
  runPortForwardSession,
  serveSpdyPortForward,
} from "./tunnels.ts";

const UPGRADABLE = new Set(["exec", "attach", "portforward"]);

export interface UpgradeRequest {
  core: Core;
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  url: URL;
  info: RequestInfo;
  user: UserInfo;
}

function offeredProtocols(req: IncomingMessage): string[] {
  return String(req.headers["sec-websocket-protocol"] ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
}

function chooseProtocol(req: IncomingMessage, supported: string[]): string {
  const offered = offeredProtocols(req);
  const chosen = offered.find((p) => supported.includes(p));
  if (!chosen) {
    throw badRequest(
      `unable to upgrade connection: unable to negotiate protocol: client supports [${offered.join(" ")}], server supports [${supported.join(" ")}]`,
    );
  }
  return chosen;
}

/** Calls `end` once the pod is deleted (its sessions end with it); returns the unsubscribe. */
function onPodDeleted(core: Core, pod: KubeObject, end: () => void): () => void {
  return core.store.subscribe((event) => {
    const gone = event.type === "DELETED" && event.kind.resource === "pods";
    if (gone && event.object.metadata.uid === pod.metadata.uid) end();
  });
}

function podRef(pod: KubeObject): PodRef {
  const { name, namespace, uid } = pod.metadata;
  return { name: name!, namespace: namespace ?? "", uid: uid ?? "" };
}

export class Upgrades {
  /** Each pod's main process for attach, made with the first attach. */
  #mainProcesses: MainProcesses | undefined;
  /** The subprotocol chosen for each upgrade, which ws cannot be told directly (see #accept). */
  #chosen = new WeakMap<IncomingMessage, string>();
  #wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => protocols.values().next().value ?? false,
  });

  constructor() {
    this.#wss.on("headers", (headers: string[], req: IncomingMessage) => {
      const chosen = this.#chosen.get(req);
      const index = headers.findIndex((h) => h.startsWith("Sec-WebSocket-Protocol:"));
      if (chosen && index >= 0) headers[index] = `Sec-WebSocket-Protocol: ${chosen}`;
    });
  }

  /**
   * Completes the WebSocket handshake with the given subprotocol. ws refuses subprotocols that
   * are not RFC 7230 tokens, and kubectl's `SPDY/3.1+portforward.k8s.io` is not one, so ws is
   * shown a token-safe alias and the real name is put back in the 101 it sends.
   */
  #accept(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    protocol: string,
    onOpen: (ws: WebSocket) => void,
  ) {
    this.#chosen.set(req, protocol);
    req.headers["sec-websocket-protocol"] = protocol.replace(/[^A-Za-z0-9.-]/g, "-");
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      // A client's malformed frame: the connection ends (ws closes it with 1002), as the
      // kubelet's would; unhandled, ws's error event would bring the whole stand-in down.
      ws.on("error", () => ws.terminate());
      onOpen(ws);
    });
  }

  /**
   * Performs the upgrade or throws the Status to refuse it with; returns what was negotiated
   * ("websocket v5.channel.k8s.io", "SPDY/3.1 v4.channel.k8s.io"), which the stand-in records.
   */
  serve(request: UpgradeRequest): string {
    const { core, req, socket, head, url, info, user } = request;
    const subresource = info.subresource;
    if (info.resource !== "pods" || !UPGRADABLE.has(subresource) || info.apiGroup) {
      throw badRequest(
        `the stand-in upgrades only pods/exec, pods/attach and pods/portforward, not ${url.pathname}`,
      );
    }
    const pod = core.store.get("pods", info);
    const upgrade = String(req.headers.upgrade ?? "").toLowerCase();
    if (upgrade !== "spdy/3.1" && upgrade !== "websocket")
      throw badRequest(`unsupported upgrade: ${req.headers.upgrade}`);
    if (subresource === "portforward") return this.#portForward(request, pod, upgrade);
    const killed = new AbortController();
    this.#mainProcesses ??= new MainProcesses(core.store);
    const { options, program } = remoteCommandOf({
      subresource: subresource === "attach" ? "attach" : "exec",
      pod,
      url,
      username: user.username,
      files: core.podFiles.of(pod),
      mainProcesses: this.#mainProcesses,
      killed: killed.signal,
    });
    if (upgrade === "spdy/3.1") {
      const protocol = serveSpdyRemoteCommand(req, socket, head, options, program);
      socket.once(
        "close",
        onPodDeleted(core, pod, () => killed.abort()),
      );
      return `SPDY/3.1 ${protocol}`;
    }
    requireAllowed(core.authorizer, { ...attributesOf(user, info), verb: "create" });
    const protocol = chooseProtocol(req, EXEC_PROTOCOLS);
    const stop = onPodDeleted(core, pod, () => killed.abort());
    this.#accept(req, socket, head, protocol, (ws) => {
      ws.on("close", stop);
      runExecSession(ws, socket, protocol, options, program);
    });
    return `websocket ${protocol}`;
  }

  #portForward(request: UpgradeRequest, pod: KubeObject, upgrade: string): string {
    const { core, req, socket, head, url, info, user } = request;
    if (upgrade === "spdy/3.1") {
      const end = serveSpdyPortForward(req, socket, head, podRef(pod));
      socket.once("close", onPodDeleted(core, pod, end));
      return `SPDY/3.1 ${PORT_FORWARD_SPDY}`;
    }
    requireAllowed(core.authorizer, { ...attributesOf(user, info), verb: "create" });
    const protocol = chooseProtocol(req, PORT_FORWARD_PROTOCOLS);
    const ports = url.searchParams
      .getAll("ports")
      .flatMap((p) => p.split(","))
      .map(Number);
    this.#accept(req, socket, head, protocol, (ws) => {
      const stop = onPodDeleted(core, pod, () => ws.close(1000));
      ws.once("close", stop);
      runPortForwardSession(ws, protocol, podRef(pod), ports);
    });
    return `websocket ${protocol}`;
  }

  close(): void {
    this.#mainProcesses?.close();
    for (const client of this.#wss.clients) client.terminate();
    this.#wss.close();
  }
}
