/** What every handler gets: the shared parts of the server and the request being served. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Authenticator } from "./authn.ts";
import type { PodFiles } from "./exec/pod-files.ts";
import type { KindInfo } from "./kinds.ts";
import type { PodLogs } from "./pod-logs.ts";
import type { RbacAuthorizer } from "./rbac/authorizer.ts";
import type { UserInfo } from "./rbac/types.ts";
import type { RequestInfo } from "./request-info.ts";
import type { TokenIssuer } from "./sa-tokens.ts";
import type { ObjectStore } from "./store.ts";

export interface Core {
  /** https://127.0.0.1:PORT, once listening. */
  url: string;
  store: ObjectStore;
  authorizer: RbacAuthorizer;
  authenticator: Authenticator;
  issuer: TokenIssuer;
  podLogs: PodLogs;
  podFiles: PodFiles;
  apiAudiences: string[];
  maxTokenExpirationSeconds: number | undefined;
}

export interface RequestContext {
  core: Core;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  info: RequestInfo;
  user: UserInfo;
}

export interface ResourceContext extends RequestContext {
  kind: KindInfo;
}
