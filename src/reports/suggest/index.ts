/**
 * Least privilege from real use — `report suggest-role` (GET /v1/reports/suggest-role): from
 * what a user, grant, role or CI rule did through the gateway in a window, as the usage
 * aggregates hold it, the smallest Role or ClusterRole that allows all of it, with a
 * RoleBinding per namespace used, as manifests ready for `kubectl apply`, or as a ClusterRole
 * and the `roles:` entry that makes it a role of the broker's config.
 *
 * Reads the usage part's aggregates and owns nothing: no keys, no background work. It writes
 * nothing to a cluster or to the broker's config; applying is the person's step.
 */
import type { Config } from "../../config/schema.ts";
import type { Feature } from "../../http/feature.ts";
import type { Clock } from "../../shared/clock.ts";
import type { ReportInput, UsageReader } from "../usage/index.ts";
import { suggestRoutes } from "./suggest-routes.ts";

export interface SuggestRoleDeps {
  config: Config;
  clock: Clock;
  /** The usage aggregates (the usage part's store). */
  reader: UsageReader;
  clusters: ReportInput["readers"];
}

export function createSuggestRole(deps: SuggestRoleDeps): Feature {
  return {
    routes: (api) => [suggestRoutes({ ...deps, api, readers: deps.clusters })],
    start: async () => {},
    stop: async () => {},
  };
}

export type { LeftOutUse } from "./minimal-rules.ts";
export type { BrokerRoleEntry, SuggestedRole } from "./suggest-role.ts";
