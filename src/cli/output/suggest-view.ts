import type { SuggestedRole } from "../../reports/index.ts";
import { json, type Printable, yaml } from "./output-format.ts";
import { table } from "./table.ts";

/** The suggested role as the broker's API shows it (only the server's type is imported). */
export type { SuggestedRole };

type Rule = SuggestedRole["rules"][number];

/** `report suggest-role`: the rules, where they apply, and the namespaces bound. */
export function suggestedRoleView(report: SuggestedRole): Printable {
  const row = (scope: string) => (rule: Rule) => [
    scope,
    (rule.apiGroups ?? []).map((g) => g || '""').join(","),
    (rule.resources ?? []).join(","),
    rule.verbs.join(","),
    (rule.resourceNames ?? []).join(","),
  ];
  return {
    value: report.manifests,
    names: report.manifests.items.map((item) => {
      const { kind, metadata } = item as { kind: string; metadata: { name: string; namespace?: string } };
      return `${kind.toLowerCase()}.rbac.authorization.k8s.io/${metadata.name}`;
    }),
    text: () =>
      table(
        ["scope", "api group", "resources", "verbs", "names"],
        [...report.rules.map(row("namespaced")), ...report.clusterRules.map(row("cluster"))],
      ),
  };
}

/** What people read beside the table: where it is bound, what was left out, what to run next. */
export function suggestedRoleNotes(report: SuggestedRole): string[] {
  const notes = [`Role "${report.name}" in cluster ${report.cluster}, from the use of ${report.subject}.`];
  if (report.namespaces.length > 0) notes.push(`Bound in namespaces: ${report.namespaces.join(", ")}`);
  if (report.clusterRules.length > 0)
    notes.push("Rules marked cluster are bound cluster-wide (a ClusterRoleBinding).");
  for (const use of report.leftOut)
    notes.push(
      `Left out: ${use.verb} ${use.resource || "(non-resource)"}${use.apiGroup ? `.${use.apiGroup}` : ""}: ${use.reason}`,
    );
  notes.push("-o yaml writes the manifests for `kubectl apply -f -`.");
  return notes;
}

/** -o yaml: one document per object, as `kubectl apply -f -` takes them. */
export function manifestsYaml(report: SuggestedRole): string {
  return report.manifests.items.map((item) => `---\n${yaml(item)}`).join("") + brokerRoleComment(report);
}

/** -o json: a v1 List, which `kubectl apply -f -` takes too. */
export function manifestsJson(report: SuggestedRole): string {
  return json(report.manifests);
}

/**
 * The `roles:` entry for the broker's config. The CLI cannot write that file (it is the
 * broker's, read at its start), so it is printed to paste: as text on its own, and as a YAML
 * comment after the manifests, which `kubectl apply` ignores.
 */
export function brokerRoleEntry(report: SuggestedRole): string {
  return report.brokerRole ? yaml({ roles: [report.brokerRole] }) : "";
}

function brokerRoleComment(report: SuggestedRole): string {
  if (!report.brokerRole) return "";
  const lines = [
    "Add the role to the broker's config under roles: (kubectl broker cannot write that file),",
    "apply the ClusterRole above, and restart or reload the broker:",
    ...brokerRoleEntry(report).trimEnd().split("\n"),
  ];
  return lines.map((line) => `# ${line}\n`).join("");
}
