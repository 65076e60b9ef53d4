import type { z } from "zod";
import { Invalid } from "../shared/errors.ts";

/**
 * Validates a request body (or query) with a zod schema; a bad one is a 422 Status whose
 * message and causes name each field, so nothing downstream ever sees unchecked input.
 */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const causes = result.error.issues.map((issue) => ({
    field: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
    reason: "FieldValueInvalid",
  }));
  throw new Invalid(causes.map((c) => `${c.field}: ${c.message}`).join("; "), { details: { causes } });
}
