/**
 * The access review (issue 16 part 4): `report review`, GET /v1/reports/review. It reads the
 * usage aggregates (through the usage part's reader) and the open grants (the grants
 * feature), keeps nothing of its own, and is what reports.schedule delivers as `review`.
 */
import type { Config } from "../../config/schema.ts";
import type { Feature } from "../../http/feature.ts";
import type { Clock } from "../../shared/clock.ts";
import type { RbacReaders, UsageReader } from "../usage/index.ts";
import { parseReviewQuery } from "./review-query.ts";
import { type OpenGrants, type ReviewReport, reviewReport } from "./review-report.ts";
import { reviewRoutes } from "./review-routes.ts";

export interface ReviewDeps {
  config: Config;
  clock: Clock;
  reader: UsageReader;
  clusters: RbacReaders;
  grants: OpenGrants;
}

/** Builds a review from query parameters as the API takes them (checked: 422/404 on bad ones). */
export interface ReviewBuilder {
  build(raw: Record<string, unknown>): Promise<ReviewReport>;
}

export function createReviewReport(deps: ReviewDeps): Feature & ReviewBuilder {
  const review: ReviewBuilder = {
    build: (raw) => {
      const now = deps.clock.now();
      const query = parseReviewQuery(raw, deps.config, now);
      const { config, reader, grants } = deps;
      return reviewReport({ config, reader, readers: deps.clusters, grants, query, now });
    },
  };
  return {
    ...review,
    routes: (api) => [reviewRoutes({ api, review })],
    start: async () => {},
    stop: async () => {},
  };
}

export type { OpenGrant, OpenGrants, ReviewReport } from "./review-report.ts";
