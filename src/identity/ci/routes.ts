import { type RequestHandler, Router } from "express";
import { parseExchangeRequest } from "./exchange-request.ts";
import type { CiExchangeService } from "./exchange-service.ts";

export interface CiRoutesOptions {
  exchange: Pick<CiExchangeService, "exchange">;
  /** The shared rate limiter (src/http/rate-limit.ts), run before anything else. */
  rateLimit?: RequestHandler;
}

/** `POST /ci/exchange` (mounted under /v1): a CI job's ID token in, a cluster credential out. */
export function ciRoutes(options: CiRoutesOptions): Router {
  const router = Router();
  const before = options.rateLimit ? [options.rateLimit] : [];
  router.post("/ci/exchange", ...before, async (req, res) => {
    const result = await options.exchange.exchange(parseExchangeRequest(req.body));
    // The body holds a credential: no cache may keep it (as RFC 6749 asks of token responses).
    res.setHeader("Cache-Control", "no-store");
    res.json(result);
  });
  return router;
}
