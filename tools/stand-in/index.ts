/**
 * A Kubernetes API server stand-in for kube-broker's tests and demo: HTTPS with its own CA,
 * service-account tokens and TokenRequest, RBAC with the default roles and escalation
 * prevention, the core kinds kubectl needs (get, watch, logs -f, exec, auth, create, delete,
 * patch, server-side apply), CertificateSigningRequests, the token controller, and direct
 * access to its objects for seeding and inspection. See README.md beside this file.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { makeServerTls } from "../tls/server-tls.ts";
import { Authenticator } from "./authn.ts";
import { BEHAVIOURS } from "./behaviours/index.ts";
import type { Core } from "./context.ts";
import { startPodEvents } from "./controllers/pod-events.ts";
import { startTokenController } from "./controllers/token-controller.ts";
import { PodFiles } from "./exec/pod-files.ts";
import { type KubeconfigOptions, writeKubeconfigFile } from "./kubeconfig.ts";
import { PodLogs } from "./pod-logs.ts";
import { RbacAuthorizer } from "./rbac/authorizer.ts";
import { TokenIssuer } from "./sa-tokens.ts";
import { seedDefaults, seedDemoData } from "./seed.ts";
import { Pipeline, type RecordedRequest } from "./server.ts";
import { ObjectStore } from "./store.ts";
import { type BoundObjectRef, requestToken } from "./token-request.ts";

export type { KubeObject, ObjectMeta, ObjectRef } from "./objects.ts";
export type { UserInfo } from "./rbac/types.ts";
export type { RecordedRequest } from "./server.ts";
export { StatusError } from "./status.ts";
export type { StoreEvent } from "./store.ts";
export { ObjectStore } from "./store.ts";

export interface StandInOptions {
  /** Default: a free port on 127.0.0.1. */
  port?: number;
  /**
   * --service-account-max-token-expiration: longer TokenRequests are cut to this (with a
   * warning). Off by default; like kube-apiserver, it must lie between an hour and 2^32 seconds.
   */
  maxTokenExpirationSeconds?: number;
  /** --api-audiences: what a token must be for to be accepted. Default ["https://kubernetes.default.svc"]. */
  apiAudiences?: string[];
  /** --service-account-issuer. Default "https://kubernetes.default.svc". */
  issuer?: string;
  /**
   * Seconds a successful token authentication is cached. Default 0: every request checks the
   * ServiceAccount (and bound objects) afresh, so a deleted ServiceAccount's tokens fail on the
   * very next request. A real kube-apiserver caches successes for 10 s (TokenSuccessCacheTTL):
   * set 10 to test that nothing depends on instant invalidation.
   */
  tokenSuccessCacheSeconds?: number;
}

export interface IssueTokenOptions {
  audiences?: string[];
  expirationSeconds?: number;
  boundObjectRef?: BoundObjectRef;
}

export interface StandIn {
  /** https://127.0.0.1:PORT */
  url: string;
  /** PEM of the CA that signed the server certificate. */
  caCert: string;
  /** Bearer token of "kubernetes-admin" (group system:masters). */
  adminToken: string;
  /** Writes a kubeconfig for the admin, or for `options.token`. */
  writeKubeconfig(path: string, options?: KubeconfigOptions): Promise<void>;
  /** The objects, without HTTP, authentication or RBAC (defaults and validation still apply). */
  store: ObjectStore;
  /** Namespaces team-a, team-b and payments with pods that have log lines (default exists already). */
  seedDemo(): Promise<void>;
  /** Adds a line to a pod's log; `logs -f` readers see it at once. */
  appendPodLog(namespace: string, pod: string, line: string, container?: string): void;
  /** Every request received, in order, with the user it ran as ("" when authentication failed). */
  requests: RecordedRequest[];
  /** A TokenRequest without HTTP (same validation and defaults); resolves to the JWT. */
  issueToken(namespace: string, serviceAccount: string, options?: IssueTokenOptions): Promise<string>;
  /**
   * The next `count` requests (to paths matching `path`, if given) that arrive on an
   * already-used keep-alive connection find it closed, unanswered: what a client sees when
   * a server ends an idle connection just as the client reuses it (the keep-alive race).
   */
  closeReusedConnections(count: number, path?: RegExp): void;
  close(): Promise<void>;
}

export const DEFAULT_AUDIENCE = "https://kubernetes.default.svc";

/** kube-apiserver refuses to start with a cap outside [1 h, 2^32 s]. */
function checkMaxTokenExpiration(seconds: number | undefined): void {
  if (seconds === undefined) return;
  if (!Number.isInteger(seconds) || seconds < 3600 || seconds > 2 ** 32) {
    throw new Error(
      `stand-in: the service-account-max-token-expiration must be between 1 hour and 2^32 seconds, not ${seconds}`,
    );
  }
}

export async function startStandIn(options: StandInOptions = {}): Promise<StandIn> {
  checkMaxTokenExpiration(options.maxTokenExpirationSeconds);
  const tls = await makeServerTls();
  const store = new ObjectStore(BEHAVIOURS);
  seedDefaults(store);
  const podLogs = new PodLogs(store);
  const apiAudiences = options.apiAudiences ?? [DEFAULT_AUDIENCE];
  const issuer = await TokenIssuer.create(options.issuer ?? DEFAULT_AUDIENCE);
  const adminToken = randomBytes(32).toString("base64url");
  const authorizer = new RbacAuthorizer(store);
  const core: Core = {
    url: "",
    store,
    authorizer,
    authenticator: new Authenticator({
      store,
      issuer,
      adminToken,
      apiAudiences,
      successCacheSeconds: options.tokenSuccessCacheSeconds ?? 0,
    }),
    issuer,
    podLogs,
    podFiles: new PodFiles(store),
    apiAudiences,
    maxTokenExpirationSeconds: options.maxTokenExpirationSeconds,
  };
  const stopTokenController = startTokenController({ store, issuer, caCert: tls.caCert });
  const stopPodEvents = startPodEvents(store);
  const pipeline = new Pipeline(core);
  const server: Server = createServer({ cert: tls.cert, key: tls.key });
  const served = new WeakSet<Socket>();
  const closeReused = { count: 0, path: /./ };
  server.on("request", (req, res) => {
    const reused = served.has(req.socket);
    served.add(req.socket);
    if (reused && closeReused.count > 0 && closeReused.path.test(req.url ?? "")) {
      closeReused.count--;
      req.socket.destroy();
      return;
    }
    pipeline.handleRequest(req, res);
  });
  server.on("upgrade", pipeline.handleUpgrade);
  // Upgraded connections are no longer the HTTP server's: close() has to end them itself.
  const upgraded = new Set<Socket>();
  server.on("upgrade", (req) => {
    upgraded.add(req.socket);
    req.socket.on("close", () => upgraded.delete(req.socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  core.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: core.url,
    caCert: tls.caCert,
    adminToken,
    store,
    requests: pipeline.requests,
    writeKubeconfig: (path, kubeconfig = {}) =>
      writeKubeconfigFile(path, core.url, tls.caCert, kubeconfig.token ?? adminToken, kubeconfig),
    seedDemo: async () => seedDemoData(store, podLogs),
    appendPodLog: (namespace, pod, line, container) => podLogs.append(namespace, pod, line, container),
    issueToken: async (namespace, serviceAccount, tokenOptions = {}) => {
      const { tokenRequest } = await requestToken(core, namespace, serviceAccount, tokenOptions);
      return (tokenRequest.status as { token: string }).token;
    },
    closeReusedConnections: (count, path = /./) => {
      Object.assign(closeReused, { count, path });
    },
    close: () =>
      new Promise<void>((resolve) => {
        pipeline.close();
        stopTokenController();
        stopPodEvents();
        for (const socket of upgraded) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
