import type { Subjects } from "../config/fields.ts";
import type { Principal } from "../shared/principal.ts";
import { globMatch } from "./glob.ts";

/**
 * Whether a principal is one of the subjects a rule names. A user pattern is compared with
 * the principal's stable subject, its email and its display name (configs are written with
 * whichever the IdP makes readable); a group pattern with each of its groups. Matching is
 * exact or glob, and case-sensitive: the IdP, not the broker, decides what a name is.
 */
export function matchesSubjects(subjects: Subjects, principal: Principal): boolean {
  const names = [principal.subject, principal.email, principal.name].filter(
    (name): name is string => name !== undefined && name !== "",
  );
  return (
    subjects.users.some((pattern) => names.some((name) => globMatch(pattern, name))) ||
    subjects.groups.some((pattern) => principal.groups.some((group) => globMatch(pattern, group)))
  );
}
