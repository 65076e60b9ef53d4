import type { RequestHandler, Router } from "express";
import type { Principal } from "../shared/principal.ts";

/**
 * What the composition root hands every feature's routes: the session check, who is an admin,
 * and rate limits shared by all replicas. Routes are built once every feature exists, so one
 * feature's routes can sit behind another's session check without the two knowing each other.
 */
export interface ApiContext {
  /** Routes behind it need a broker session; getPrincipal(res) then names the caller. */
  requireSession: RequestHandler;
  isAdmin(principal: Principal): boolean;
  /** At most `perMinute` requests in `bucket`, counted per client address or per signed-in principal. */
  rateLimit(bucket: string, perMinute: number, per: "client" | "principal"): RequestHandler;
}

/**
 * What every feature's `create<Feature>(deps)` returns; a feature adds the members that other
 * features or the composition root use (the audit writer, the grants a request provisions).
 */
export interface Feature {
  /** Routers to mount under /v1. */
  routes(api: ApiContext): Router[];
  /** Starts background work; every feature exists by then, and the listener is not open yet. */
  start(): Promise<void>;
  /** Ends background work and drains what is in flight; called in the reverse order of start. */
  stop(): Promise<void>;
}
