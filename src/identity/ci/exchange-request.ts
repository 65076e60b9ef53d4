import { z } from "zod";
import { DNS1123_LABEL } from "../../config/fields.ts";
import { parseBody } from "../../http/validate.ts";
import { parseDuration } from "../../shared/duration.ts";
import { BadRequest } from "../../shared/errors.ts";
import { MIN_CI_GRANT_SECONDS } from "./grant-terms.ts";

/** What a CI job sends to POST /v1/ci/exchange, checked. */
export interface CiExchangeInput {
  token: string;
  cluster: string | undefined;
  /** Seconds. */
  ttl: number | undefined;
}

/** Real CI ID tokens are 1–2 KiB; anything far larger is not one. */
const MAX_TOKEN_CHARS = 16 * 1024;

// Messages are written out so that no part of the body, least of all the token, is echoed.
const body = z.strictObject({
  token: z
    .string({ error: "required: the CI job's OIDC ID token, as a string" })
    .min(1, "required: the CI job's OIDC ID token, as a string")
    .max(MAX_TOKEN_CHARS, `longer than ${MAX_TOKEN_CHARS} characters; not a CI ID token`),
  cluster: z
    .string({ error: "must be a cluster name" })
    .regex(DNS1123_LABEL, "must be a cluster name (a DNS-1123 label)")
    .optional(),
  ttl: z
    .union([z.string(), z.number()], { error: 'must be a duration such as "15m", or seconds' })
    .transform((value, ctx) => {
      const seconds = parseDuration(value);
      if (seconds === undefined || seconds < MIN_CI_GRANT_SECONDS) {
        ctx.addIssue({
          code: "custom",
          message: 'must be a duration of at least 1m, such as "15m", or seconds',
        });
        return z.NEVER;
      }
      return seconds;
    })
    .optional(),
});

export function parseExchangeRequest(input: unknown): CiExchangeInput {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new BadRequest(
      'send a JSON object (Content-Type: application/json): {"token": "<the job\'s ID token>", "cluster"?: "...", "ttl"?: "15m"}',
    );
  }
  const { token, cluster, ttl } = parseBody(body, input);
  return { token, cluster, ttl };
}
