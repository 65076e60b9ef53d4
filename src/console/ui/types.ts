import type { Principal } from "../../shared/principal.ts";

/**
 * The JSON the console reads, as the API writes it (session-routes, entitlements, grantView,
 * requestView). Written out here rather than imported from the features: the UI is
 * type-checked on its own (DOM, no Node), and importing a feature's types would pull its
 * server modules into that program. The shared library's small, dependency-free types are
 * imported (the principal).
 */

export type { Principal };

/** GET /v1/console/session */
export interface ConsoleSession {
  principal: Principal;
  admin: boolean;
  expiresAt: string;
  csrfToken: string;
  features: { reports: boolean; alerts: boolean };
}

interface Placement {
  cluster: string;
  role: string;
  scope: "namespaced" | "cluster";
  /** Namespace names or globs; empty for cluster-wide roles. */
  namespaces: string[];
}

export interface StandingEntitlement extends Placement {
  maxTtlSeconds: number;
}

export interface RequestableEntitlement extends Placement {
  maxDurationSeconds: number;
  approvalsRequired: number;
  reasonRequired: boolean;
  autoApprove: boolean;
}

/** GET /v1/whoami */
export interface Whoami {
  principal: Principal;
  admin: boolean;
  sessionExpiresAt: string;
  entitlements: { standing: StandingEntitlement[]; requestable: RequestableEntitlement[] };
}

export interface GrantView {
  id: string;
  user: string;
  kind: "user" | "ci";
  cluster: string;
  role: string;
  namespaces: string[];
  namespacePatterns?: string[];
  clusterWide: boolean;
  origin: "standing" | "request" | "ci" | "break-glass";
  reason: string;
  requestId?: string;
  state: "pending-provision" | "active" | "ended";
  createdAt: string;
  expiresAt: string;
  endedAt?: string;
  endReason?: string;
  endDetail?: string;
  serviceAccount: string;
}

export interface DecisionView {
  by: string;
  at: string;
  comment?: string;
  automatic?: boolean;
  /** Approved by (or for) the person on call in the rule's schedule. */
  onCall?: boolean;
}

export type RequestState = "pending" | "approved" | "denied" | "expired" | "canceled";

export interface RequestView {
  id: string;
  requester: string;
  cluster: string;
  role: string;
  namespaces: string[];
  /** Seconds the grant lasts once approved. */
  duration: number;
  reason: string;
  breakGlass?: boolean;
  state: RequestState;
  createdAt: string;
  expiresAt: string;
  approvalsRequired: number;
  approvals: DecisionView[];
  denial?: DecisionView;
  decidedAt?: string;
  grantId?: string;
  grantError?: string;
  /** Who was on call in the rule's schedule when it was asked (they may approve it). */
  onCall?: { schedule: string; people: string[]; stale?: boolean };
}

export interface List<T> {
  items: T[];
}
