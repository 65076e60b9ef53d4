import type { Alert } from "../../src/alerts/index.ts";
import { requestRecord } from "./audit-fixtures.ts";

/**
 * A fired alert as the evaluator returns it: alice's exec into pods/web-1 in prod/team-a,
 * rule exec-in-sensitive-namespace, unless told otherwise. A fresh id each time.
 */
let fired = 0;
export function firedAlert(overrides: Partial<Alert> = {}): Alert {
  const record =
    overrides.record ??
    requestRecord({
      cluster: "prod",
      namespace: "team-a",
      user: "alice@example.com",
      verb: "exec",
      resource: "pods",
      name: "web-1",
      subresource: "exec",
      path: "/api/v1/namespaces/team-a/pods/web-1/exec",
      kubectlCommand: "kubectl exec",
      sourceIp: "203.0.113.9",
      grant: "g-42",
      role: "edit",
    });
  return {
    id: `alert-${++fired}-${record.id}`,
    rule: "exec-in-sensitive-namespace",
    severity: "critical",
    description: "A shell was opened in a pod of a sensitive namespace",
    at: record.ts,
    record,
    ...overrides,
  };
}
