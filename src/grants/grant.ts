import type { GrantKind } from "../audit/index.ts";
import { DNS1123_LABEL } from "../config/fields.ts";
import { type Principal, principalSlug } from "../shared/principal.ts";

/**
 * Where a grant came from. `break-glass` is an access request its requester approved at once
 * in an emergency (a request rule's `breakGlass`); it names its request like `request` does.
 */
export type GrantOrigin = "standing" | "request" | "ci" | "break-glass";
export type GrantState = "pending-provision" | "active" | "ended";
export type GrantEndReason = "expired" | "revoked" | "provision-failed" | "orphaned";

/** A grant of access: real in the cluster only between activation and its end. Times are ms. */
export interface Grant {
  id: string;
  /** Bumped on every change; updates are compare-and-set on it. */
  version: number;
  principal: Principal;
  cluster: string;
  role: string;
  /** Target namespaces; empty when the role is cluster-wide. */
  namespaces: string[];
  /**
   * When set, the grant follows these namespace globs: `namespaces` is then the cluster's
   * namespaces that match them, kept up to date as namespaces are created and deleted.
   */
  namespacePatterns?: string[];
  clusterWide: boolean;
  origin: GrantOrigin;
  reason: string;
  /** The access request this grant came from, when origin is "request" or "break-glass". */
  requestId?: string;
  createdAt: number;
  activatedAt?: number;
  expiresAt: number;
  state: GrantState;
  endReason?: GrantEndReason;
  endedAt?: number;
  /** Who or what ended it early (revoke), or the cluster's message (provision-failed). */
  endDetail?: string;
  serviceAccount: { namespace: string; name: string; uid?: string };
}

export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "kube-broker";
export const GRANT_LABEL = "kube-broker.io/grant";
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;

/** Longest principal name accepted; it lands in annotations and audit records. */
export const MAX_PRINCIPAL_NAME = 256;

/**
 * `kb-<user-slug>-<grant-id>`: the cluster's own audit log then shows who holds the access.
 * Always a DNS-1123 label of at most 63 characters.
 */
export function serviceAccountName(principal: Principal, grantId: string): string {
  const room = 63 - "kb-".length - 1 - grantId.length;
  const name = `kb-${principalSlug(principal, room)}-${grantId}`;
  if (!DNS1123_LABEL.test(name)) throw new Error(`generated an invalid ServiceAccount name: ${name}`);
  return name;
}

export function grantLabels(grant: Grant): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [GRANT_LABEL]: grant.id };
}

/** What a person reading the cluster needs to know about the object, without asking the broker. */
export function grantAnnotations(grant: Grant): Record<string, string> {
  const { kind, subject, name, email } = grant.principal;
  return {
    "kube-broker.io/principal": JSON.stringify({
      kind,
      subject,
      name,
      email,
      groups: grant.principal.groups,
    }),
    "kube-broker.io/role": grant.role,
    "kube-broker.io/origin": grant.origin,
    "kube-broker.io/reason": grant.reason,
    "kube-broker.io/expires-at": new Date(grant.expiresAt).toISOString(),
  };
}

/** The grant's kind as audit records and alert rules name it (`grantKind`). */
export function grantKind(origin: GrantOrigin): GrantKind {
  return origin === "request" ? "requested" : origin;
}

export function isActive(grant: Grant, now: number): boolean {
  return grant.state === "active" && grant.expiresAt > now;
}
