import { Router } from "express";
import type { Config } from "../../config/schema.ts";
import type { ApiContext } from "../../http/feature.ts";
import { getPrincipal } from "../../http/principal.ts";
import type { Clock } from "../../shared/clock.ts";
import { type ReportInput, scopeToCaller, type UsageReader } from "../usage/index.ts";
import { defaultRoleName, parseSuggestQuery, subjectOf } from "./suggest-query.ts";
import { suggestRole } from "./suggest-role.ts";

/** GET /reports/suggest-role, mounted under /v1. */
export function suggestRoutes(options: {
  api: ApiContext;
  reader: UsageReader;
  readers: ReportInput["readers"];
  config: Config;
  clock: Clock;
}): Router {
  const router = Router();
  router.get("/reports/suggest-role", options.api.requireSession, async (req, res) => {
    const { reader, readers, config, clock } = options;
    const principal = getPrincipal(res);
    const admin = options.api.isAdmin(principal);
    const asked = parseSuggestQuery(req.query, config, clock.now(), admin);
    const query = scopeToCaller(asked.query, principal, admin);
    const subject = subjectOf(query, principal);
    const input = { reader, readers, config, query, scoped: !admin };
    res.json(
      await suggestRole(input, {
        ...asked.options,
        subject: subject.text,
        defaultName: defaultRoleName(subject.slug),
      }),
    );
  });
  return router;
}
