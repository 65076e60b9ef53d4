/**
 * The RBAC authorizer over the stored Roles, ClusterRoles and their bindings, with the
 * privileged-group short cut the real server puts in front of it (system:masters may do
 * anything). Bindings are visited like `VisitRulesFor`: ClusterRoleBindings, then the
 * RoleBindings of the request's namespace; a binding whose role is missing contributes an
 * error to the denial reason, as in the real server.
 */
import type { KubeObject } from "../objects.ts";
import { notFound } from "../status.ts";
import type { ObjectStore } from "../store.ts";
import { describeSubject, ruleAllows, subjectMatches } from "./rules.ts";
import {
  type Attributes,
  type Decision,
  MASTERS,
  type PolicyRule,
  type RoleRef,
  type Subject,
  type UserInfo,
} from "./types.ts";

interface Visit {
  describe(): string;
  rules: PolicyRule[];
}

export interface ResolvedRules {
  rules: PolicyRule[];
  errors: string[];
}

export class RbacAuthorizer {
  #store: ObjectStore;

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  authorize(attributes: Attributes): Decision {
    if (attributes.user.groups.includes(MASTERS)) return { allowed: true, reason: "" };
    const errors: string[] = [];
    for (const visit of this.#visits(attributes.user, attributes.namespace, errors)) {
      if (visit.rules.some((rule) => ruleAllows(attributes, rule))) {
        return { allowed: true, reason: `RBAC: allowed by ${visit.describe()}` };
      }
    }
    const reason =
      errors.length === 0 ? "" : `RBAC: ${errors.length === 1 ? errors[0] : `[${errors.join(", ")}]`}`;
    return { allowed: false, reason };
  }

  /** Every rule that applies to the user in a namespace ("" = cluster-wide bindings only). */
  rulesFor(user: UserInfo, namespace: string): ResolvedRules {
    const errors: string[] = [];
    const rules = [...this.#visits(user, namespace, errors)].flatMap((v) => v.rules);
    return { rules, errors };
  }

  /** The rules a binding's roleRef grants (`GetRoleReferenceRules`); 404 when the role is missing. */
  roleRefRules(roleRef: RoleRef, namespace: string): PolicyRule[] {
    const role = this.#role(roleRef, namespace);
    if (!role) {
      const resource = roleRef.kind === "Role" ? "roles" : "clusterroles";
      throw notFound(resource, "rbac.authorization.k8s.io", roleRef.name);
    }
    return (role.rules as PolicyRule[] | undefined) ?? [];
  }

  *#visits(user: UserInfo, namespace: string, errors: string[]): Generator<Visit> {
    for (const binding of this.#store.list("clusterrolebindings")) {
      yield* this.#visitBinding(binding, user, "", errors);
    }
    if (namespace) {
      for (const binding of this.#store.list("rolebindings", namespace)) {
        yield* this.#visitBinding(binding, user, namespace, errors);
      }
    }
  }

  *#visitBinding(binding: KubeObject, user: UserInfo, namespace: string, errors: string[]): Generator<Visit> {
    const subject = ((binding.subjects as Subject[] | undefined) ?? []).find((s) =>
      subjectMatches(user, s, namespace),
    );
    if (!subject) return;
    const roleRef = binding.roleRef as RoleRef;
    const role = this.#role(roleRef, namespace);
    if (!role) {
      // Listers word it with the singular resource: `role.rbac.authorization.k8s.io "x" not found`.
      errors.push(`${roleRef.kind.toLowerCase()}.rbac.authorization.k8s.io "${roleRef.name}" not found`);
      return;
    }
    const bindingName = namespace ? `${binding.metadata.name}/${namespace}` : binding.metadata.name;
    yield {
      describe: () =>
        `${binding.kind} "${bindingName}" of ${roleRef.kind} "${roleRef.name}" to ${describeSubject(subject, namespace)}`,
      rules: (role.rules as PolicyRule[] | undefined) ?? [],
    };
  }

  #role(roleRef: RoleRef, namespace: string): KubeObject | undefined {
    if (roleRef.kind === "ClusterRole") return this.#store.find("clusterroles", { name: roleRef.name });
    if (roleRef.kind === "Role" && namespace)
      return this.#store.find("roles", { namespace, name: roleRef.name });
    return undefined;
  }
}
