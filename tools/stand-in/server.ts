/**
 * The request pipeline, in the real server's order: authenticate, impersonate, derive the
 * request info, authorize with RBAC, then serve (non-resource paths, reviews, subresources,
 * or the generic verbs). Upgrades (exec, attach, port-forward) go through the same steps. Every
 * request is recorded with the user it ran as and the status it got.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { attributesOf, requireAllowed } from "./authz.ts";
import type { Core, ResourceContext } from "./context.ts";
import { Upgrades } from "./exec/upgrade.ts";
import { serveNonResource } from "./handlers/discovery.ts";
import { serveEventsV1 } from "./handlers/events-v1.ts";
import { serveLogs } from "./handlers/logs.ts";
import { serveMetrics } from "./handlers/metrics.ts";
import { serveObjectSubresource } from "./handlers/object-subresource.ts";
import { serveStoredKind } from "./handlers/rest.ts";
import { serveReview } from "./handlers/reviews.ts";
import { serveTokenRequest } from "./handlers/token.ts";
import { refuseUpgrade, sendError } from "./http-io.ts";
import { impersonate } from "./impersonation.ts";
import { EVENTS, findKind, METRICS } from "./kinds.ts";
import type { UserInfo } from "./rbac/types.ts";
import { requestInfo } from "./request-info.ts";
import { badRequest, resourceNotFound } from "./status.ts";

export interface RecordedRequest {
  method: string;
  /** URL path, without the query. */
  path: string;
  query: string;
  /** The request body's media type ("" without a body): kubectl's typed commands send protobuf. */
  contentType: string;
  /** Who the request ran as; "" when authentication failed (401). */
  user: string;
  /** 0 while the answer is still open (a watch, `logs -f`); 101 for an upgrade. */
  status: number;
  /** The client's end of the connection ("127.0.0.1:PORT"): requests that share it came on one connection. */
  connection: string;
  /** For an upgrade that succeeded, what was negotiated: "websocket v5.channel.k8s.io", "SPDY/3.1 v4.channel.k8s.io". */
  upgrade?: string;
}

async function identify(core: Core, req: IncomingMessage, url: URL): Promise<UserInfo> {
  const authenticated = await core.authenticator.authenticate(req, url.pathname);
  return impersonate(core.authorizer, req, authenticated);
}

const SUBRESOURCES: Record<string, (ctx: ResourceContext) => void | Promise<void>> = {
  "pods/log": serveLogs,
  "serviceaccounts/token": serveTokenRequest,
  "pods/exec": () => {
    throw badRequest("Upgrade request required");
  },
  "pods/attach": () => {
    throw badRequest("Upgrade request required");
  },
  "pods/portforward": () => {
    throw badRequest("Upgrade request required");
  },
  "certificatesigningrequests/approval": serveObjectSubresource,
  "certificatesigningrequests/status": serveObjectSubresource,
};

/** Groups served from another kind's storage, or computed, rather than stored as themselves. */
const UNSTORED_GROUPS: Record<string, (ctx: ResourceContext) => void | Promise<void>> = {
  [EVENTS]: serveEventsV1,
  [METRICS]: serveMetrics,
};

async function serveResource(ctx: Omit<ResourceContext, "kind">): Promise<void> {
  const { info } = ctx;
  const kind = findKind(info.apiGroup, info.apiVersion, info.resource);
  if (!kind) throw resourceNotFound();
  const resourceCtx: ResourceContext = { ...ctx, kind };
  if (info.subresource) {
    const handler = SUBRESOURCES[`${kind.resource}/${info.subresource}`];
    if (!handler) throw resourceNotFound();
    return handler(resourceCtx);
  }
  const unstored = UNSTORED_GROUPS[kind.group];
  if (unstored) return unstored(resourceCtx);
  if (!kind.stored) return serveReview(resourceCtx);
  return serveStoredKind(resourceCtx);
}

export class Pipeline {
  readonly requests: RecordedRequest[] = [];
  #core: Core;
  #upgrades = new Upgrades();

  constructor(core: Core) {
    this.#core = core;
  }

  /** Recorded on arrival, in order; the user and status are filled in as they become known. */
  #record(req: IncomingMessage, url: URL): RecordedRequest {
    const entry = {
      method: req.method ?? "",
      path: url.pathname,
      query: url.search.slice(1),
      contentType: String(req.headers["content-type"] ?? ""),
      connection: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
      user: "",
      status: 0,
    };
    this.requests.push(entry);
    return entry;
  }

  handleRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", this.#core.url);
    const entry = this.#record(req, url);
    res.setHeader("audit-id", randomUUID());
    // "finish" comes before the client can read the answer; "close" also when it leaves a watch.
    const settle = () => {
      entry.status = res.statusCode;
    };
    res.on("finish", settle);
    res.on("close", settle);
    try {
      const user = await identify(this.#core, req, url);
      entry.user = user.username;
      const info = requestInfo(req.method ?? "GET", url);
      requireAllowed(this.#core.authorizer, attributesOf(user, info));
      const ctx = { core: this.#core, req, res, url, info, user };
      if (info.resourceRequest) await serveResource(ctx);
      else serveNonResource(ctx);
    } catch (err) {
      sendError(res, err);
    }
  };

  handleUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const url = new URL(req.url ?? "/", this.#core.url);
    const entry = this.#record(req, url);
    socket.on("error", () => socket.destroy());
    try {
      const user = await identify(this.#core, req, url);
      entry.user = user.username;
      const info = requestInfo(req.method ?? "GET", url);
      requireAllowed(this.#core.authorizer, attributesOf(user, info));
      entry.upgrade = this.#upgrades.serve({ core: this.#core, req, socket, head, url, info, user });
      entry.status = 101;
    } catch (err) {
      entry.status = refuseUpgrade(socket, err);
    }
  };

  close(): void {
    this.#upgrades.close();
  }
}
