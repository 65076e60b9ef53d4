import type { AlertRule } from "../../src/alerts/index.ts";
import { alertRule } from "../../src/config/alerts-schema.ts";

/** A rule as the config schema would give it, from what a config file would say. */
export function rule(raw: Record<string, unknown>): AlertRule {
  return alertRule.parse({ severity: "warning", description: "test rule", ...raw });
}
