/**
 * Label and field selectors as the real server parses them from `labelSelector=` and
 * `fieldSelector=` (k8s.io/apimachinery/pkg/labels and /fields), plus the structured
 * `metav1.LabelSelector` that aggregated ClusterRoles use.
 */
import type { KubeObject } from "./objects.ts";
import { badRequest } from "./status.ts";

type Operator = "=" | "!=" | "in" | "notin" | "exists" | "!";

interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export type Selector = (labels: Record<string, string>) => boolean;

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of text) {
    if (char === "(") depth++;
    if (char === ")") depth--;
    if (char === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

const KEY = "[A-Za-z0-9][-A-Za-z0-9_./]*";

function parseRequirement(text: string): Requirement {
  let match = new RegExp(`^!\\s*(${KEY})$`).exec(text);
  if (match) return { key: match[1]!, operator: "!", values: [] };
  match = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`).exec(text);
  if (match) {
    const values = match[3]!.split(",").map((v) => v.trim());
    return { key: match[1]!, operator: match[2] as Operator, values };
  }
  match = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*([-A-Za-z0-9_.]*)$`).exec(text);
  if (match) {
    const operator = match[2] === "!=" ? "!=" : "=";
    return { key: match[1]!, operator, values: [match[3]!] };
  }
  match = new RegExp(`^(${KEY})$`).exec(text);
  if (match) return { key: match[1]!, operator: "exists", values: [] };
  throw badRequest(`unable to parse requirement: found '${text}', expected: in, notin, =, ==, !=, !`);
}

function matches(requirement: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case "=":
      return has && value === requirement.values[0];
    case "!=":
      return !has || value !== requirement.values[0];
    case "in":
      return has && requirement.values.includes(value!);
    case "notin":
      return !has || !requirement.values.includes(value!);
    case "exists":
      return has;
    case "!":
      return !has;
  }
}

/** `labelSelector=` query text; an empty or absent selector matches everything. */
export function parseLabelSelector(text: string | null | undefined): Selector {
  const requirements = splitTopLevel(text ?? "").map(parseRequirement);
  return (labels) => requirements.every((r) => matches(r, labels));
}

/** The structured form (`matchLabels`, `matchExpressions`). */
export function labelSelectorMatches(
  selector: { matchLabels?: Record<string, string>; matchExpressions?: Record<string, unknown>[] },
  labels: Record<string, string>,
): boolean {
  const fromLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const operators: Record<string, Operator> = {
    In: "in",
    NotIn: "notin",
    Exists: "exists",
    DoesNotExist: "!",
  };
  const fromExpressions = (selector.matchExpressions ?? []).every((e) =>
    matches(
      {
        key: String(e.key),
        operator: operators[String(e.operator)] ?? "in",
        values: (e.values as string[]) ?? [],
      },
      labels,
    ),
  );
  return fromLabels && fromExpressions;
}

export type ObjectFilter = (object: KubeObject) => boolean;

/** Field selector over the fields each kind supports (metadata.name/namespace everywhere). */
export function parseFieldSelector(
  text: string | null | undefined,
  extraFields: string[] = [],
): ObjectFilter {
  const supported = ["metadata.name", "metadata.namespace", ...extraFields];
  const terms = splitTopLevel(text ?? "").map((term) => {
    const match = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!match) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const [, field, operator, value] = match;
    if (!supported.includes(field!)) {
      throw badRequest(`field label not supported: ${field}`);
    }
    return { path: field!.split("."), negate: operator === "!=", value: value! };
  });
  return (object) =>
    terms.every(({ path, negate, value }) => {
      const actual = path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], object);
      return (String(actual ?? "") === value) !== negate;
    });
}

/** The name a field selector pins (`metadata.name=x`), which RBAC treats as the request's name. */
export function exactName(text: string | null | undefined): string | undefined {
  const names = splitTopLevel(text ?? "")
    .map((t) => /^metadata\.name\s*==?\s*(.+)$/.exec(t)?.[1])
    .filter(Boolean);
  return names.length === 1 ? names[0] : undefined;
}
