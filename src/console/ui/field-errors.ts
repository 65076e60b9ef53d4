import type { ApiError } from "./api.ts";

/** An API refusal split for a form: messages beside the fields they are about, the rest above. */
export interface FormErrors {
  fields: Record<string, string[]>;
  general: string[];
}

/**
 * A cause goes to the field its path starts with ("namespaces.0" → namespaces). A Status
 * without causes (a policy refusal, "a reason is required…", "the duration 3h exceeds…") goes
 * beside a field only when its message names exactly one of them; otherwise it is general.
 */
export function formErrors(error: ApiError, fields: readonly string[]): FormErrors {
  const result: FormErrors = { fields: {}, general: [] };
  const add = (field: string | undefined, message: string) => {
    if (field === undefined) result.general.push(message);
    else result.fields[field] = [...(result.fields[field] ?? []), message];
  };
  if (error.causes.length === 0) {
    const named = fields.filter((field) => mentions(error.message, field));
    add(named.length === 1 ? named[0] : undefined, error.message);
    return result;
  }
  for (const cause of error.causes) {
    const field = fields.find((name) => cause.field === name || cause.field.startsWith(`${name}.`));
    add(field, field ? cause.message : `${cause.field}: ${cause.message}`);
  }
  return result;
}

function mentions(message: string, field: string): boolean {
  const stem = field.replace(/s$/, "");
  return new RegExp(`\\b${stem}s?\\b`, "i").test(message);
}
