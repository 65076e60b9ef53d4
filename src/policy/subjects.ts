import type { Subjects } from "../config/fields.ts";
import type { Principal } from "../shared/principal.ts";
import { globMatch } from "./glob.ts";

/**
 * Whether a principal is one of the subjects a rule names. A user pattern is compared with
 * the principal's stable subject, its email and its display name (configs are written with
 * whichever the IdP makes readable); a group pattern with each of its groups. Matching is
 * exact or glob, and case-sensitive: the IdP, not the broker, decides what a name is.
 *
 * With several identity providers every one of those names already carries its provider's
 * prefix (config/oidc-schema.ts), so "admins" and "partners:admins" are different groups.
 * `idps` is a further condition (AND): only people who signed in at one of those providers;
 * with no users or groups, everyone who did. It never matches a CI job.
 */
export function matchesSubjects(
  subjects: Pick<Subjects, "users" | "groups"> & { idps?: string[] | undefined },
  principal: Principal,
): boolean {
  if (subjects.idps && !(principal.idp !== undefined && subjects.idps.includes(principal.idp))) return false;
  if (subjects.idps && subjects.users.length + subjects.groups.length === 0) return true;
  const names = [principal.subject, principal.email, principal.name].filter(
    (name): name is string => name !== undefined && name !== "",
  );
  return (
    subjects.users.some((pattern) => names.some((name) => globMatch(pattern, name))) ||
    subjects.groups.some((pattern) => principal.groups.some((group) => globMatch(pattern, group)))
  );
}
