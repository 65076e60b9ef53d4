import { DNS1123_LABEL } from "../config/fields.ts";
import type { RoleConfig } from "../config/schema.ts";
import { globMatch } from "../policy/index.ts";
import { formatDuration } from "../shared/duration.ts";
import { Invalid } from "../shared/errors.ts";
import type { Principal } from "../shared/principal.ts";
import { type GrantOrigin, MAX_PRINCIPAL_NAME } from "./grant.ts";
import type { GrantCluster } from "./grant-cluster.ts";

/** What a caller asks the grant service for, after policy has said yes. */
export interface NewGrant {
  principal: Principal;
  cluster: string;
  role: string;
  namespaces: string[];
  /** Instead of namespaces: every namespace matching these globs, now and while the grant lasts. */
  namespacePatterns?: string[];
  ttlSeconds: number;
  origin: GrantOrigin;
  reason: string;
  requestId?: string;
}

/** A namespace glob: DNS-1123 label characters and '*'. */
const NAMESPACE_PATTERN = /^[a-z0-9*]([-a-z0-9*]{0,61}[a-z0-9*])?$/;

const MAX_NAMESPACES = 50;
/** A grant that follows patterns is provisioned all at once: this many namespaces at most. */
const MAX_MATCHED_NAMESPACES = 200;

/** The cluster's namespaces that match any of the patterns, sorted; refused past the limit. */
export function matchingNamespaces(all: string[], patterns: string[]): string[] {
  const matched = all.filter((name) => patterns.some((pattern) => globMatch(pattern, name))).sort();
  if (matched.length > MAX_MATCHED_NAMESPACES) {
    throw new Invalid(
      `${patterns.join(", ")} match ${matched.length} namespaces, more than the ${MAX_MATCHED_NAMESPACES} one grant holds; name the namespaces you need with -n`,
    );
  }
  return matched;
}
const MAX_REASON = 1024;
const MIN_TTL_SECONDS = 60;

/**
 * Checks a grant request against what the product can do at all (policy decides who may);
 * returns the cluster and role it names. Every refusal names the field and the limit.
 */
export function validateNewGrant(
  input: NewGrant,
  clusters: Map<string, GrantCluster>,
  roles: Map<string, RoleConfig>,
): { cluster: GrantCluster; role: RoleConfig; namespaces: string[] } {
  const name = input.principal.name;
  if (!name) throw new Invalid("the principal has no name");
  if (name.length > MAX_PRINCIPAL_NAME) {
    throw new Invalid(
      `user name is ${name.length} characters long; the most accepted is ${MAX_PRINCIPAL_NAME}`,
    );
  }
  const cluster = clusters.get(input.cluster);
  if (!cluster) throw new Invalid(`cluster "${input.cluster}" is not configured`);
  const role = roles.get(input.role);
  if (!role) throw new Invalid(`role "${input.role}" is not configured`);

  const namespaces = [...new Set(input.namespaces)];
  const patterns = input.namespacePatterns;
  if (role.scope === "cluster" && (namespaces.length > 0 || patterns)) {
    throw new Invalid(`role "${role.name}" is cluster-wide: do not name namespaces`);
  }
  if (patterns) {
    if (namespaces.length > 0) throw new Invalid("give namespaces or namespace patterns, not both");
    if (patterns.length === 0 || patterns.length > MAX_NAMESPACES) {
      throw new Invalid(`a grant follows 1 to ${MAX_NAMESPACES} namespace patterns`);
    }
    const bad = patterns.find((pattern) => !NAMESPACE_PATTERN.test(pattern));
    if (bad !== undefined)
      throw new Invalid(`namespace pattern "${bad}" is not a valid glob of a namespace name`);
  } else if (role.scope === "namespaced" && namespaces.length === 0) {
    throw new Invalid(`role "${role.name}" is namespaced: name at least one namespace`);
  }
  if (namespaces.length > MAX_NAMESPACES) throw new Invalid(`at most ${MAX_NAMESPACES} namespaces per grant`);
  for (const namespace of namespaces) {
    if (!DNS1123_LABEL.test(namespace)) {
      throw new Invalid(
        `namespace "${namespace}" is not a valid name: a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters)`,
      );
    }
  }
  if (!Number.isInteger(input.ttlSeconds) || input.ttlSeconds < MIN_TTL_SECONDS) {
    throw new Invalid(`the duration must be a whole number of seconds, at least ${MIN_TTL_SECONDS}`);
  }
  if (input.ttlSeconds > role.maxTtl) {
    throw new Invalid(
      `the duration ${formatDuration(input.ttlSeconds)} exceeds the maximum of ${formatDuration(role.maxTtl)} for role "${role.name}"`,
    );
  }
  if (input.reason.length > MAX_REASON)
    throw new Invalid(`the reason is longer than ${MAX_REASON} characters`);
  return { cluster, role, namespaces };
}
