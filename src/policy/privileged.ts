import type { RoleConfig } from "../config/schema.ts";

/**
 * Why a role is admin-level or break-glass access, or undefined when it is not: the review
 * report lists its grants, and the admin-grant-started alert fires when one starts.
 */
export function privilegedReason(role: RoleConfig | undefined): string | undefined {
  if (role?.privileged) return "role marked privileged";
  if (role?.clusterRole === "cluster-admin") return "binds cluster-admin";
  return undefined;
}
