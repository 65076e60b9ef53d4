import type { Config } from "../config/schema.ts";
import type { Principal } from "../shared/principal.ts";
import { matchesSubjects } from "./subjects.ts";

/** Admins see and revoke every grant and request; matched like any rule's subjects. */
export function isAdmin(config: Config, principal: Principal): boolean {
  return matchesSubjects(config.admins, principal);
}
