/**
 * The reports' JSON as the API writes it (src/reports: usage-report.ts, access-report.ts,
 * unused-report.ts, review-report.ts, rbac-report.ts), the fields the console shows; written
 * out for the same reason as types.ts.
 */

export type ReportKind = "usage" | "unused" | "access" | "review" | "rbac";

interface ReportWindow {
  since: number;
  from: string;
  to: string;
}

interface Counts {
  count: number;
  denied: number;
  execSessions: number;
  firstSeen: string;
  lastSeen: string;
  names: string[] | "many";
}

interface ResourceRef {
  apiGroup: string;
  resource: string;
  subresource: string;
}

export interface GrantedPermission {
  cluster: string;
  role: string;
  verb: string;
  apiGroup: string;
  resource: string;
  resourceNames?: string[];
  used: number;
}

interface Skipped {
  cluster: string;
  reason: string;
}

export interface UsageReport {
  kind: "UsageReport";
  window: ReportWindow;
  filter: Record<string, string>;
  items: (Counts &
    ResourceRef & {
      cluster: string;
      namespace: string;
      verb: string;
      users: string[];
      roles: string[];
    })[];
  granted?: { permissions: GrantedPermission[]; skipped: Skipped[] };
}

export interface AccessReport {
  kind: "AccessReport";
  window: ReportWindow;
  filter: Record<string, string>;
  items: (Counts &
    ResourceRef & { user: string; cluster: string; namespace: string; verbs: Record<string, number> })[];
}

export interface StandingRuleView {
  index: number;
  subjects: { users: string[]; groups: string[] };
  clusters: string[];
  roles: string[];
  namespaces: string[];
}

export interface UnusedReport {
  kind: "UnusedReport";
  window: ReportWindow;
  filter: Record<string, string>;
  roles: { role: string; clusterRole?: string; namespacedRole?: string }[];
  standingRules: StandingRuleView[];
  ciRules: { name: string; cluster: string; role: string }[];
  people: { user: string; rule: number; roles: string[]; clusters: string[] }[];
  permissions: GrantedPermission[];
  skipped: Skipped[];
}

export interface ReviewGrant {
  id: string;
  user: string;
  cluster: string;
  role: string;
  origin: string;
  namespaces: string[];
  startedAt: string;
}

export interface ReviewReport {
  kind: "ReviewReport";
  generatedAt: string;
  window: ReportWindow;
  cluster: string | null;
  unusedFor: number;
  olderThan: number;
  coverage: string;
  summary: {
    principals: number;
    unused: number;
    openGrants: number;
    privilegedGrants: number;
    breakGlassGrants: number;
  };
  standingRules: (StandingRuleView & {
    principals: { user: string; lastUsed: string | null; unused: boolean }[];
  })[];
  openGrants: (ReviewGrant & { ageSeconds: number })[];
  privilegedGrants: (ReviewGrant & { why: string })[];
  breakGlassGrants?: ReviewGrant[];
}

export interface RbacFinding {
  severity: "critical" | "high" | "medium" | "drift";
  check: string;
  subject: string;
  scope: string;
  what: string;
  via: string;
  role?: string;
  fix: string;
}

export interface RbacReport {
  cluster: string;
  scannedAt: string;
  summary: Record<RbacFinding["severity"], number>;
  findings: RbacFinding[];
  skipped: { check: string; reason: string }[];
  excluded: { binding: string; role: string; subjects: string[]; reason: string }[];
}

export type AnyReport = UsageReport | AccessReport | UnusedReport | ReviewReport | RbacReport;
