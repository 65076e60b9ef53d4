/**
 * Object name rules, with the messages of k8s.io/apimachinery/pkg/util/validation (1.32) and
 * apimachinery/pkg/api/validation/path: namespaces are DNS-1123 labels, most objects DNS-1123
 * subdomains, RBAC objects only "path segment" names (so `system:foo` is fine).
 */
import { type FieldError, fieldInvalid, fieldRequired } from "./status.ts";

export type NameRule = "dns-label" | "dns-subdomain" | "path-segment";

const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const SUBDOMAIN = `${LABEL}(\\.${LABEL})*`;
const labelPattern = new RegExp(`^${LABEL}$`);
const subdomainPattern = new RegExp(`^${SUBDOMAIN}$`);

/** `validation.RegexError`, with its famous double space before "or". */
function regexError(message: string, pattern: string, examples: string[]): string {
  const shown = examples.map((e) => `'${e}', `).join(" or ");
  return `${message} (e.g. ${shown}regex used for validation is '${pattern}')`;
}

/** A rule of the DNS family: a length limit and a pattern, each with its own message. */
function dnsRule(maxLength: number, pattern: RegExp, message: string): (value: string) => string[] {
  return (value) => {
    const errors: string[] = [];
    if (value.length > maxLength) errors.push(`must be no more than ${maxLength} characters`);
    if (!pattern.test(value)) errors.push(message);
    return errors;
  };
}

export const dnsLabelErrors = dnsRule(
  63,
  labelPattern,
  regexError(
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
    LABEL,
    ["my-name", "123-abc"],
  ),
);

export const dnsSubdomainErrors = dnsRule(
  253,
  subdomainPattern,
  regexError(
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
    SUBDOMAIN,
    ["example.com"],
  ),
);

export function pathSegmentErrors(value: string): string[] {
  if (value === "." || value === "..") return [`may not be '${value}'`];
  return ["/", "%"].filter((c) => value.includes(c)).map((c) => `may not contain '${c}'`);
}

const checks: Record<NameRule, (value: string) => string[]> = {
  "dns-label": dnsLabelErrors,
  "dns-subdomain": dnsSubdomainErrors,
  "path-segment": pathSegmentErrors,
};

/** Field errors for `metadata.name` (as `ValidateObjectMeta` reports them). */
export function nameErrors(rule: NameRule, name: string | undefined, field = "metadata.name"): FieldError[] {
  if (!name) return [fieldRequired(field, "name or generateName is required")];
  return checks[rule](name).map((message) => fieldInvalid(field, name, message));
}

/** True when the value is acceptable under the rule (used for namespaces in URLs and refs). */
export function isValidName(rule: NameRule, value: string): boolean {
  return checks[rule](value).length === 0;
}
