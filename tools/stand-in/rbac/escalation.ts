/**
 * RBAC escalation prevention, as pkg/registry/rbac does on create/update of the four RBAC
 * kinds: a user may write a role, or a binding to a role, only if they already hold every
 * permission it grants — or hold `escalate` on the role kind (roles) or `bind` on the
 * referenced role (bindings). system:masters is exempt. The broker's least-privilege setup
 * (bind with resourceNames on view/edit) depends on exactly this.
 */
import type { KubeObject } from "../objects.ts";
import { forbidden } from "../status.ts";
import type { RbacAuthorizer } from "./authorizer.ts";
import { nonResourceURLMatches } from "./rules.ts";
import { MASTERS, type PolicyRule, RBAC_GROUP, type RoleRef, type UserInfo } from "./types.ts";

/** One verb on one group/resource/name, or one verb on one URL. */
type AtomicRule = PolicyRule;

function breakdown(rule: PolicyRule): AtomicRule[] {
  const out: AtomicRule[] = [];
  for (const verb of rule.verbs) {
    for (const url of rule.nonResourceURLs ?? []) out.push({ verbs: [verb], nonResourceURLs: [url] });
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const names = rule.resourceNames?.length ? rule.resourceNames : [undefined];
        for (const name of names) {
          const atom: AtomicRule = { verbs: [verb], apiGroups: [group], resources: [resource] };
          if (name !== undefined) atom.resourceNames = [name];
          out.push(atom);
        }
      }
    }
  }
  return out;
}

const has = (list: string[] | undefined, value: string) => (list ?? []).includes(value);
const hasAll = (list: string[] | undefined, values: string[] | undefined) =>
  (values ?? []).every((v) => has(list, v));

function resourceCovers(owned: string[] | undefined, wanted: string): boolean {
  if (has(owned, "*") || has(owned, wanted)) return true;
  const [resource, subresource] = wanted.split("/", 2);
  return subresource !== undefined && (has(owned, `${resource}/*`) || has(owned, `*/${subresource}`));
}

/** `ruleCovers` for an atomic rule. */
function covers(owner: PolicyRule, atom: AtomicRule): boolean {
  const verb = has(owner.verbs, "*") || hasAll(owner.verbs, atom.verbs);
  const group = has(owner.apiGroups, "*") || hasAll(owner.apiGroups, atom.apiGroups);
  const resources = (atom.resources ?? []).every((r) => resourceCovers(owner.resources, r));
  const urls = (atom.nonResourceURLs ?? []).every((u) =>
    (owner.nonResourceURLs ?? []).some((pattern) => nonResourceURLMatches(pattern, u)),
  );
  // An owner rule limited to names covers only atoms with those names, never a nameless one.
  const names =
    !owner.resourceNames?.length ||
    (!!atom.resourceNames?.length && hasAll(owner.resourceNames, atom.resourceNames));
  return verb && group && resources && urls && names;
}

/** `CompactString`: `{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}`. */
function compactString(rule: PolicyRule): string {
  const q = (values: string[]) => `[${values.map((v) => JSON.stringify(v)).join(" ")}]`;
  const parts: string[] = [];
  if (rule.apiGroups?.length) parts.push(`APIGroups:${q(rule.apiGroups)}`);
  if (rule.resources?.length) parts.push(`Resources:${q(rule.resources)}`);
  if (rule.nonResourceURLs?.length) parts.push(`NonResourceURLs:${q(rule.nonResourceURLs)}`);
  if (rule.resourceNames?.length) parts.push(`ResourceNames:${q(rule.resourceNames)}`);
  if (rule.verbs.length) parts.push(`Verbs:${q(rule.verbs)}`);
  return `{${parts.join(", ")}}`;
}

/** `CompactRules`: atoms on the same group/resource/name merge their verbs; URL rules stay apart. */
function compact(atoms: AtomicRule[]): string[] {
  const merged = new Map<string, PolicyRule>();
  atoms.forEach((atom, index) => {
    const key = atom.nonResourceURLs
      ? `url:${index}`
      : JSON.stringify([atom.apiGroups, atom.resources, atom.resourceNames]);
    const existing = merged.get(key);
    if (existing) existing.verbs.push(...atom.verbs);
    else merged.set(key, { ...atom, verbs: [...atom.verbs] });
  });
  return [...new Set([...merged.values()].map(compactString))].sort();
}

export interface EscalationCheck {
  authorizer: RbacAuthorizer;
  user: UserInfo;
  /** The namespace of the request ("" for cluster-scoped objects). */
  namespace: string;
  /** What the refusal names: `rolebindings` and the object's name. */
  resource: string;
  name: string;
}

/** `ConfirmNoEscalation`: throws 403 listing what the user does not hold. */
export function confirmNoEscalation(check: EscalationCheck, wanted: PolicyRule[]): void {
  const owned = check.authorizer.rulesFor(check.user, check.namespace);
  const missing = wanted.flatMap(breakdown).filter((atom) => !owned.rules.some((rule) => covers(rule, atom)));
  if (missing.length === 0) return;
  const groups = `[${check.user.groups.map((g) => JSON.stringify(g)).join(" ")}]`;
  let message = `user "${check.user.username}" (groups=${groups}) is attempting to grant RBAC permissions not currently held:\n${compact(missing).join("\n")}`;
  if (owned.errors.length) message += `; resolution errors: [${owned.errors.join(" ")}]`;
  throw forbidden(check.resource, RBAC_GROUP, check.name, message);
}

function isMaster(user: UserInfo): boolean {
  return user.groups.includes(MASTERS);
}

/** Role/ClusterRole writes: allowed with `escalate` on the kind, else only within what is held. */
export function checkRoleWrite(check: EscalationCheck, role: KubeObject, requestName: string): void {
  if (isMaster(check.user)) return;
  const escalate = check.authorizer.authorize({
    user: check.user,
    verb: "escalate",
    resourceRequest: true,
    path: "",
    namespace: check.namespace,
    apiGroup: RBAC_GROUP,
    apiVersion: "*",
    resource: check.resource,
    subresource: "",
    // As the real registry does: the name from the URL, so a create (no name yet) never matches a named rule.
    name: requestName,
  });
  if (escalate.allowed) return;
  confirmNoEscalation(check, (role.rules as PolicyRule[] | undefined) ?? []);
  if (role.aggregationRule) {
    try {
      confirmNoEscalation(check, [
        { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
        { verbs: ["*"], nonResourceURLs: ["*"] },
      ]);
    } catch {
      throw forbidden(
        check.resource,
        RBAC_GROUP,
        check.name,
        "must have cluster-admin privileges to use the aggregationRule",
      );
    }
  }
}

/** RoleBinding/ClusterRoleBinding writes: allowed with `bind` on the role, else only within what is held. */
export function checkBindingWrite(check: EscalationCheck, roleRef: RoleRef): void {
  if (isMaster(check.user)) return;
  if (roleRef.kind === "Role" || roleRef.kind === "ClusterRole") {
    const bind = check.authorizer.authorize({
      user: check.user,
      verb: "bind",
      resourceRequest: true,
      path: "",
      namespace: check.namespace,
      apiGroup: roleRef.apiGroup,
      apiVersion: "",
      resource: roleRef.kind === "Role" ? "roles" : "clusterroles",
      subresource: "",
      name: roleRef.name,
    });
    if (bind.allowed) return;
  }
  confirmNoEscalation(check, check.authorizer.roleRefRules(roleRef, check.namespace));
}
