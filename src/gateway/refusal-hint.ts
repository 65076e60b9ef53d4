import type { Config } from "../config/schema.ts";
import type { Grant } from "../grants/index.ts";
import { entitlements, globMatch } from "../policy/index.ts";
import { formatDuration } from "../shared/duration.ts";
import type { RequestAttributes } from "./request-attributes.ts";

/** What a suggested request asks for at most, so the command is one a person can paste. */
const SUGGESTED_DURATION_SECONDS = 30 * 60;

/**
 * What to add to a cluster's refusal of a gateway request: what the person holds through the
 * broker, and the command that would get them further — a standing role (no approval), a
 * request (when a request rule covers it), or the administrators. The cluster's message alone
 * names only the grant's ServiceAccount (kb-dev-…), which tells a person nothing.
 */
export function refusalHint(config: Config, grant: Grant, attrs: RequestAttributes | undefined): string {
  const namespace = attrs?.namespace ?? "";
  const scope = grant.clusterWide
    ? "cluster-wide"
    : `in ${grant.namespaces.length === 1 ? "namespace" : "namespaces"} ${grant.namespaces.map((n) => `"${n}"`).join(", ")}`;
  return (
    `through kube-broker you hold role "${grant.role}" ${scope} on cluster "${grant.cluster}" ` +
    `(grant ${grant.id}); ${nextStep(config, grant, namespace)}`
  );
}

function nextStep(config: Config, grant: Grant, namespace: string): string {
  const { standing, requestable } = entitlements(config, grant.principal);
  const outside = namespace !== "" && !grant.clusterWide && !grant.namespaces.includes(namespace);
  const order = config.roles.map((r) => r.name);
  // Outside the grant's namespaces the same role comes first, then any; inside them, only a
  // role that ranks above the one held (config order: view, edit, admin …) can help.
  const candidates = outside
    ? [grant.role, ...order.filter((role) => role !== grant.role)]
    : order.slice(order.indexOf(grant.role) + 1);
  const reaches = (e: { cluster: string; role: string; scope: string; namespaces: string[] }, role: string) =>
    e.cluster === grant.cluster &&
    e.role === role &&
    (e.scope === "cluster" || (namespace !== "" && e.namespaces.some((p) => globMatch(p, namespace))));
  const flags = (role: string, scope: string) =>
    `--cluster ${grant.cluster} --role ${role}${scope === "cluster" ? "" : ` -n ${namespace}`}`;
  for (const role of candidates) {
    const free = standing.find((e) => reaches(e, role));
    if (free) return `without approval: kubectl broker kubeconfig ${flags(role, free.scope)}`;
    const askable = requestable.find((e) => reaches(e, role));
    if (askable) {
      const duration = formatDuration(Math.min(SUGGESTED_DURATION_SECONDS, askable.maxDurationSeconds));
      return `ask for more with: kubectl broker request ${flags(role, askable.scope)} --for ${duration} --reason "…"`;
    }
  }
  return "no policy lets you ask for more here; ask the broker's administrators";
}
