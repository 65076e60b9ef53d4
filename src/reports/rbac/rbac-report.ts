import { GRANT_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../../grants/index.ts";
import { defaultBinding } from "./defaults.ts";
import { heldRules, subjectKey } from "./effective-rules.ts";
import { describeBinding, describeSubject, type Finding, SEVERITIES, type Severity } from "./finding.ts";
import type { Binding, Meta, RbacSnapshot } from "./rbac-reader.ts";
import { ruleFindings } from "./rule-findings.ts";
import { bindingFindings, legacyTokenFindings, thirdPartyFindings } from "./subject-findings.ts";

/** `GET /v1/reports/rbac`: a cluster's standing RBAC risks, at one moment. */
export interface RbacReport {
  cluster: string;
  scannedAt: string;
  /** Findings per severity (every severity present, 0 when none). */
  summary: Record<Severity, number>;
  findings: Finding[];
  /** Checks that could not run, and why ("listing Secrets is not permitted…"). */
  skipped: { check: string; reason: string }[];
  /** Bindings left out as defaults of a fresh cluster or kube-broker's own (defaults.ts). */
  excluded: { binding: string; role: string; subjects: string[]; reason: string }[];
}

export interface RbacReportInput {
  cluster: string;
  snapshot: RbacSnapshot;
  /** The kube-broker grants that are open (not ended): their objects are not findings. */
  openGrants: ReadonlySet<string>;
  now: number;
}

/** The grant ids on objects labelled as kube-broker's, for the caller to look up. */
export function managedGrantIds(snapshot: RbacSnapshot): string[] {
  const objects = [...snapshot.serviceAccounts, ...snapshot.clusterRoleBindings, ...snapshot.roleBindings];
  return [
    ...new Set(
      objects.filter((o) => isManaged(o.metadata)).map((o) => o.metadata.labels?.[GRANT_LABEL] ?? ""),
    ),
  ];
}

export function rbacReport({ cluster, snapshot, openGrants, now }: RbacReportInput): RbacReport {
  const excluded: RbacReport["excluded"] = [];
  const findings: Finding[] = [];
  const isOpenGrant = (meta: Meta) => openGrants.has(meta.labels?.[GRANT_LABEL] ?? "");
  const scanned = (binding: Binding) => {
    if (isManaged(binding.metadata)) return false;
    const reason = defaultBinding(binding);
    if (reason) {
      excluded.push({
        binding: describeBinding(binding),
        role: `${binding.roleRef.kind}/${binding.roleRef.name}`,
        subjects: binding.subjects.map(describeSubject),
        reason,
      });
    }
    return !reason;
  };
  const bindings = [...snapshot.clusterRoleBindings, ...snapshot.roleBindings];
  const held = heldRules(snapshot, scanned);
  const accounts = new Set(
    snapshot.serviceAccounts.map((a) =>
      subjectKey({ kind: "ServiceAccount", namespace: a.metadata.namespace ?? "", name: a.metadata.name }),
    ),
  );
  findings.push(
    ...ruleFindings(held),
    ...bindingFindings(
      bindings.filter((b) => !isManaged(b.metadata) && !defaultBinding(b)),
      accounts,
    ),
    ...thirdPartyFindings(held),
    ...orphanFindings(snapshot, isOpenGrant),
  );
  const skipped: RbacReport["skipped"] = [];
  if ("items" in snapshot.tokenSecrets)
    findings.push(...legacyTokenFindings(snapshot.tokenSecrets.items, now));
  else skipped.push({ check: "legacy-token", reason: snapshot.tokenSecrets.skipped });

  findings.sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
      a.subject.localeCompare(b.subject) ||
      a.check.localeCompare(b.check),
  );
  const summary = Object.fromEntries(
    SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length]),
  ) as Record<Severity, number>;
  return { cluster, scannedAt: new Date(now).toISOString(), summary, findings, skipped, excluded };
}

/** Objects labelled as kube-broker's whose grant is not open: the reconciler should have deleted them. */
function orphanFindings(snapshot: RbacSnapshot, isOpenGrant: (meta: Meta) => boolean): Finding[] {
  const orphan = (meta: Meta, subject: string, scope: string, via: string): Finding => ({
    severity: "drift",
    check: "orphaned-grant-object",
    subject,
    scope,
    what: `labelled as kube-broker's, but grant "${meta.labels?.[GRANT_LABEL] ?? ""}" is not active`,
    via,
    fix: "kube-broker's reconciler deletes it within minutes; if it stays, check the broker reaches this cluster, or delete it",
  });
  const findings: Finding[] = [];
  for (const { metadata } of snapshot.serviceAccounts) {
    if (!isManaged(metadata) || isOpenGrant(metadata)) continue;
    const subject = describeSubject({
      kind: "ServiceAccount",
      namespace: metadata.namespace ?? "",
      name: metadata.name,
    });
    findings.push(orphan(metadata, subject, metadata.namespace ?? "", subject));
  }
  for (const binding of [...snapshot.clusterRoleBindings, ...snapshot.roleBindings]) {
    if (!isManaged(binding.metadata) || isOpenGrant(binding.metadata)) continue;
    const scope = binding.metadata.namespace ?? "cluster-wide";
    const subjects = binding.subjects.map(describeSubject).join(", ");
    findings.push(orphan(binding.metadata, subjects, scope, describeBinding(binding)));
  }
  return findings;
}

function isManaged(meta: Meta): boolean {
  return meta.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
}
