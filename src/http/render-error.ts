import type { ErrorRequestHandler, RequestHandler } from "express";
import { BadRequest, BrokerError, NotFound, toStatus, Unavailable } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import { isConnectionError } from "../shared/redis.ts";

/** The one place errors become responses: Kubernetes Status JSON, 5xx details kept in logs. */
export function renderErrors(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const status = toStatus(fromBodyParser(err) ?? fromRedis(err) ?? err);
    if (status.code >= 500) logger.error({ err, method: req.method, path: req.path }, "request failed");
    const retryAfter = status.details?.retryAfterSeconds;
    if (retryAfter) res.setHeader("Retry-After", String(retryAfter));
    res.status(status.code).json(status);
  };
}

/** express.json() throws plain errors with a `type`; give them their Status. */
function fromBodyParser(err: unknown): BrokerError | undefined {
  switch ((err as { type?: string }).type) {
    case "entity.parse.failed":
      return new BadRequest("the request body is not valid JSON");
    case "entity.too.large":
      return new BrokerError(413, "BadRequest", "the request body is too large");
    case "encoding.unsupported":
    case "charset.unsupported":
      return new BadRequest("the request body's encoding is not supported");
    default:
      return undefined;
  }
}

/** Redis unreachable is an outage the caller can wait out, not a bug: 503, cause logged. */
function fromRedis(err: unknown): BrokerError | undefined {
  return isConnectionError(err)
    ? new Unavailable("the broker's store is unavailable; try again shortly", { cause: err })
    : undefined;
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new NotFound(`the server could not find the requested resource: ${req.method} ${req.path}`));
};
