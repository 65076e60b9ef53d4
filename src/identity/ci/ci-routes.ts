import { type RequestHandler, Router } from "express";
import type { CiExchangeService } from "./ci-exchange-service.ts";
import { parseExchangeRequest } from "./exchange-request.ts";

export interface CiRoutesOptions {
  exchange: Pick<CiExchangeService, "exchange">;
  /** The shared rate limit, run before anything else. */
  rateLimit: RequestHandler;
}

/** `POST /ci/exchange` (mounted under /v1): a CI job's ID token in, a cluster credential out. */
export function ciRoutes(options: CiRoutesOptions): Router {
  const router = Router();
  router.post("/ci/exchange", options.rateLimit, async (req, res) => {
    const result = await options.exchange.exchange(parseExchangeRequest(req.body));
    // The body holds a credential: no cache may keep it (as RFC 6749 asks of token responses).
    res.setHeader("Cache-Control", "no-store");
    res.json(result);
  });
  return router;
}
