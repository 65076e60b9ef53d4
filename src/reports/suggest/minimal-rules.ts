import { type PolicyRule, ruleAllows } from "../rbac/index.ts";

/**
 * The smallest set of RBAC rules that allows what was observed: pure functions over the
 * usage aggregates' rows (one per verb × resource, summed over the window), unit-tested on
 * their own.
 */

/** One permission as the usage aggregates hold it, summed over the window. */
export interface ObservedUse {
  /** The audit verb: a Kubernetes verb, or exec/attach/portforward/proxy for those subresources. */
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  count: number;
  denied: number;
  /** The object names used, while few; "many" past that; [] when only collections were used. */
  names: string[] | "many";
}

/** A use the suggested role does not cover, and why. */
export interface LeftOutUse {
  verb: string;
  apiGroup: string;
  /** With its subresource: "pods/exec"; "" for a non-resource request. */
  resource: string;
  reason: string;
}

/**
 * At most this many object names make a rule limited by resourceNames. A few names are a
 * need ("this ConfigMap, that pod's log"); past that the list is an accident of the window
 * (the pods of the last rollout), and a role that breaks at the next rollout is no help.
 */
export const MAX_RESOURCE_NAMES = 5;

/**
 * Verbs whose every request names one object in its path, so the names the aggregates kept
 * are all of that verb's objects. list, watch, create and deletecollection are left out: a
 * list or watch names an object only through a metadata.name field selector, a create never
 * in its path, and the aggregates cannot tell whether every use did; limiting those by name
 * would refuse what was done.
 */
const NAMED_VERBS = new Set(["get", "update", "patch", "delete"]);

/**
 * The RBAC verbs a use needed. exec, attach and portforward are sessions: a WebSocket GET is
 * authorized for `get` and, since Kubernetes 1.35, also for `create`; the SPDY fallback POSTs
 * (`create`). A proxy to a subresource (pods/proxy) takes the HTTP method's verb, which the
 * aggregates do not keep, so get and create cover kubectl's reads and posts; the old
 * /proxy/ path prefix is the verb `proxy` itself.
 */
export function rbacVerbs(use: Pick<ObservedUse, "verb" | "subresource">): string[] {
  if (["exec", "attach", "portforward"].includes(use.verb)) return ["get", "create"];
  if (use.verb === "proxy" && use.subresource === "proxy") return ["get", "create"];
  return [use.verb];
}

/** Why a use needs no rule, or undefined when it does. */
export function refusal(use: ObservedUse): string | undefined {
  // Discovery, /version, /openapi: every authenticated identity may read them (the cluster's
  // system:discovery and public-info-viewer roles), and a Role cannot name them.
  if (!use.resource) return "a non-resource request, allowed to everyone by the cluster's defaults";
  // Refused every time: the work did not depend on it, and allowing it would widen the role.
  if (use.denied >= use.count) return "refused each time: not a permission that was used";
  return undefined;
}

/** One verb on one resource, limited to some names or not. */
interface Need {
  apiGroup: string;
  resource: string;
  verb: string;
  names: Set<string> | "any";
}

/**
 * The rules that allow every use that was not refused each time, merged: one need per API
 * group, resource (with subresource) and verb; verbs on a resource with the same names share
 * a rule; resources of a group with the same verbs and names share a rule. Needs that `covered`
 * (say, cluster-wide rules) already allows are dropped.
 */
export function minimalRules(
  uses: readonly ObservedUse[],
  covered: readonly PolicyRule[] = [],
): { rules: PolicyRule[]; leftOut: LeftOutUse[] } {
  // One entry per verb and resource, however many namespaces or people refused it there.
  const leftOut = new Map<string, LeftOutUse>();
  const needs = new Map<string, Need>();
  const needed = new Set<string>();
  for (const use of uses) {
    const resource = use.subresource ? `${use.resource}/${use.subresource}` : use.resource;
    const place = { verb: use.verb, apiGroup: use.apiGroup, resource };
    const reason = refusal(use);
    if (reason !== undefined) {
      leftOut.set(JSON.stringify(place), { ...place, reason });
      continue;
    }
    needed.add(JSON.stringify(place));
    const named = (use.subresource !== "" || NAMED_VERBS.has(use.verb)) && use.names !== "many";
    const names = named && use.names.length > 0 ? new Set(use.names) : "any";
    for (const verb of rbacVerbs(use)) addNeed(needs, { apiGroup: use.apiGroup, resource, verb, names });
  }
  const open = [...needs.values()].filter((need) => !coveredBy(covered, need));
  // Refused somewhere but used elsewhere: the rule is there, so it is not left out.
  const unneeded = [...leftOut].filter(([key]) => !needed.has(key)).map(([, use]) => use);
  return { rules: mergeNeeds(open), leftOut: unneeded };
}

function addNeed(needs: Map<string, Need>, need: Need): void {
  const key = JSON.stringify([need.apiGroup, need.resource, need.verb]);
  const seen = needs.get(key);
  if (!seen) {
    needs.set(key, { ...need, names: need.names === "any" ? "any" : new Set(need.names) });
    return;
  }
  if (seen.names === "any") return;
  if (need.names === "any") {
    seen.names = "any";
    return;
  }
  for (const name of need.names) seen.names.add(name);
  if (seen.names.size > MAX_RESOURCE_NAMES) seen.names = "any";
}

function coveredBy(rules: readonly PolicyRule[], need: Need): boolean {
  const request = { verb: need.verb, apiGroup: need.apiGroup, resource: need.resource };
  if (need.names === "any") return rules.some((rule) => ruleAllows(rule, request));
  return [...need.names].every((name) => rules.some((rule) => ruleAllows(rule, { ...request, name })));
}

function namesKey(names: Need["names"]): string {
  return names === "any" ? "" : [...names].sort().join("\n");
}

/** Needs → rules: verbs merged per resource and names, then resources per group, verbs and names. */
function mergeNeeds(needs: readonly Need[]): PolicyRule[] {
  const perResource = new Map<
    string,
    { apiGroup: string; resource: string; names: string; verbs: string[] }
  >();
  for (const need of needs) {
    const names = namesKey(need.names);
    const key = JSON.stringify([need.apiGroup, need.resource, names]);
    const entry = perResource.get(key) ?? {
      apiGroup: need.apiGroup,
      resource: need.resource,
      names,
      verbs: [],
    };
    entry.verbs.push(need.verb);
    perResource.set(key, entry);
  }
  const perRule = new Map<string, PolicyRule>();
  for (const entry of perResource.values()) {
    const verbs = [...entry.verbs].sort();
    const key = JSON.stringify([entry.apiGroup, verbs, entry.names]);
    const rule = perRule.get(key);
    if (rule) {
      rule.resources!.push(entry.resource);
      continue;
    }
    perRule.set(key, {
      apiGroups: [entry.apiGroup],
      resources: [entry.resource],
      ...(entry.names ? { resourceNames: entry.names.split("\n") } : {}),
      verbs,
    });
  }
  const rules = [...perRule.values()];
  for (const rule of rules) rule.resources!.sort();
  return rules.sort((a, b) => ruleOrder(a).localeCompare(ruleOrder(b)));
}

function ruleOrder(rule: PolicyRule): string {
  return [
    rule.apiGroups?.[0],
    rule.resources?.[0],
    (rule.resourceNames ?? []).join(","),
    rule.verbs.join(","),
  ].join(" ");
}
