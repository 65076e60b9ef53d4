/**
 * Connection upgrades on `pods/exec` and `pods/portforward`, after authentication and RBAC.
 * A WebSocket GET is authorized for `get` by the pipeline and, as since Kubernetes 1.35
 * (AuthorizePodWebsocketUpgradeCreatePermission, on by default), also for `create`; a SPDY
 * POST is a `create` already. Refusals are answered as HTTP errors before any 101.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { attributesOf, requireAllowed } from "../authz.ts";
import type { Core } from "../context.ts";
import { containerFor } from "../handlers/logs.ts";
import type { KubeObject } from "../objects.ts";
import type { PodRef } from "../portforward/pod-ports.ts";
import type { UserInfo } from "../rbac/types.ts";
import type { RequestInfo } from "../request-info.ts";
import { badRequest } from "../status.ts";
import { EXEC_PROTOCOLS, runExecSession } from "./session.ts";
import { echoSpdy, PORT_FORWARD_PROTOCOLS, runPortForwardSession, serveSpdyPortForward } from "./tunnels.ts";

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

/**
 * PodExecOptions' booleans as the server decodes query parameters (runtime.Convert_Slice_string_To_bool):
 * absent, "false" or "0" (any case) is false, anything else true — so the Python client's
 * `stdout=True` counts, as on a real server.
 */
function flag(url: URL, name: string): boolean {
  const value = url.searchParams.get(name);
  return value !== null && !["false", "0"].includes(value.toLowerCase());
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
    this.#wss.handleUpgrade(req, socket, head, onOpen);
  }

  /** Performs the upgrade or throws the Status to refuse it with. */
  serve(request: UpgradeRequest): void {
    const { core, req, socket, head, url, info, user } = request;
    const subresource = info.subresource;
    if (
      info.resource !== "pods" ||
      (subresource !== "exec" && subresource !== "portforward") ||
      info.apiGroup
    ) {
      throw badRequest(`the stand-in upgrades only pods/exec and pods/portforward, not ${url.pathname}`);
    }
    const pod = core.store.get("pods", info);
    const upgrade = String(req.headers.upgrade ?? "").toLowerCase();
    if (upgrade === "spdy/3.1") {
      if (subresource === "portforward") {
        const end = serveSpdyPortForward(req, socket, head, podRef(pod));
        socket.once("close", onPodDeleted(core, pod, end));
        return;
      }
      echoSpdy(req, socket, head);
      return;
    }
    if (upgrade !== "websocket") throw badRequest(`unsupported upgrade: ${req.headers.upgrade}`);
    requireAllowed(core.authorizer, { ...attributesOf(user, info), verb: "create" });
    if (subresource === "portforward") {
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
      return;
    }
    const protocol = chooseProtocol(req, EXEC_PROTOCOLS);
    containerFor(pod, url.searchParams.get("container"));
    const argv = url.searchParams.getAll("command");
    if (argv.length === 0) throw badRequest("you must specify at least 1 command");
    const killed = new AbortController();
    const stop = onPodDeleted(core, pod, () => killed.abort());
    this.#accept(req, socket, head, protocol, (ws) => {
      ws.on("close", stop);
      runExecSession(ws, socket, {
        protocol,
        argv,
        stdin: flag(url, "stdin"),
        stdout: flag(url, "stdout"),
        stderr: flag(url, "stderr"),
        tty: flag(url, "tty"),
        username: user.username,
        podName: pod.metadata.name!,
        files: core.podFiles.of(pod),
        killed: killed.signal,
      });
    });
  }

  close(): void {
    for (const client of this.#wss.clients) client.terminate();
    this.#wss.close();
  }
}
