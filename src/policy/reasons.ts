import type { RoleConfig } from "../config/schema.ts";
import type { Principal } from "../shared/principal.ts";
import { type AccessAsk, describeWhere, quote } from "./ask.ts";
import { type PolicyRule, uncoveredNamespaces } from "./coverage.ts";

/**
 * Why no rule covers an ask, naming only the part that is missing: the namespaces no rule
 * allows, or, when each is allowed by some rule but none allows them all, that fact. It
 * names the principal and what they asked for, never other rules' subjects.
 */
export function notCoveredReason(
  action: "hold" | "request",
  principal: Principal,
  ask: AccessAsk,
  role: RoleConfig,
  applicable: readonly PolicyRule[],
): string {
  const uncovered = uncoveredNamespaces(applicable, ask, role);
  const what = `${action} role ${quote(role.name)}`;
  if (uncovered.length === 0 && ask.namespaces.length > 1) {
    return (
      `no single policy lets ${principal.name} ${what} ${describeWhere(ask.cluster, ask.namespaces)} ` +
      "at once; ask for each namespace separately"
    );
  }
  const where = describeWhere(ask.cluster, uncovered.length > 0 ? uncovered : ask.namespaces);
  return `no policy lets ${principal.name} ${what} ${where}`;
}
