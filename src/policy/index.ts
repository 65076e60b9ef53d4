/**
 * Policy: who may hold which role, in which clusters and namespaces, for how long; who may
 * request it and who approves. Pure functions over the typed config; deny by default.
 */
export { isAdmin } from "./admins.ts";
export { type ApprovalDecision, canApprove } from "./approvals.ts";
export type { AccessAsk } from "./ask.ts";
export { type BreakGlassDecision, decideBreakGlass } from "./break-glass.ts";
export { type Refusal, refusalError } from "./decision.ts";
export {
  type Entitlements,
  entitlements,
  type RequestableEntitlement,
  type StandingEntitlement,
} from "./entitlements.ts";
export { globMatch } from "./glob.ts";
export { isOnCall, type OnCallSnapshot } from "./on-call.ts";
export { privilegedReason } from "./privileged.ts";
export { decideRequest, type RequestDecision } from "./requests.ts";
export {
  decideStanding,
  decideStandingEverywhere,
  type StandingDecision,
  type StandingEverywhereDecision,
} from "./standing.ts";
export { matchesSubjects } from "./subjects.ts";
