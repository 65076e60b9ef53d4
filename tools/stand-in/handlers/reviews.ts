/**
 * The review kinds, computed per request and never stored: TokenReview (honouring
 * spec.audiences), SubjectAccessReview, SelfSubjectAccessReview (`kubectl auth can-i`),
 * LocalSubjectAccessReview, SelfSubjectRulesReview (`can-i --list`) and SelfSubjectReview
 * (`kubectl auth whoami`).
 */
import type { ResourceContext } from "../context.ts";
import { readObject, sendJson } from "../http-io.ts";
import { apiVersionOf } from "../kinds.ts";
import { isPlainObject } from "../objects.ts";
import type { Attributes, PolicyRule, UserInfo } from "../rbac/types.ts";
import { badRequest, fieldInvalid, invalid, methodNotAllowed } from "../status.ts";

type Body = Record<string, unknown>;

interface ReviewSpec {
  resourceAttributes?: Record<string, string>;
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
  token?: string;
  audiences?: string[];
  namespace?: string;
}

function specOf(body: Body): ReviewSpec {
  return (isPlainObject(body.spec) ? body.spec : {}) as ReviewSpec;
}

function attributesFor(ctx: ResourceContext, spec: ReviewSpec, user: UserInfo): Attributes {
  const { resourceAttributes: r, nonResourceAttributes: n } = spec;
  if (!r === !n) {
    throw invalid(ctx.kind.kind, ctx.kind.group, "", [
      fieldInvalid(
        "spec.resourceAttributes",
        r ?? "null",
        "exactly one of nonResourceAttributes or resourceAttributes must be specified",
      ),
    ]);
  }
  return {
    user,
    verb: r?.verb ?? n?.verb ?? "",
    resourceRequest: !!r,
    path: n?.path ?? "",
    namespace: r?.namespace ?? "",
    apiGroup: r?.group ?? "",
    apiVersion: r?.version ?? "",
    resource: r?.resource ?? "",
    subresource: r?.subresource ?? "",
    name: r?.name ?? "",
  };
}

function accessReview(ctx: ResourceContext, body: Body, spec: ReviewSpec, user: UserInfo): Body {
  const decision = ctx.core.authorizer.authorize(attributesFor(ctx, spec, user));
  const status: Body = { allowed: decision.allowed };
  if (decision.reason) status.reason = decision.reason;
  return { ...body, status };
}

function subjectOf(spec: ReviewSpec): UserInfo {
  const user: UserInfo = { username: spec.user ?? "", groups: spec.groups ?? [], extra: spec.extra ?? {} };
  if (spec.uid) user.uid = spec.uid;
  return user;
}

function requireSubject(ctx: ResourceContext, spec: ReviewSpec): void {
  if (!spec.user && !spec.groups?.length) {
    throw invalid(ctx.kind.kind, ctx.kind.group, "", [
      fieldInvalid("spec.user", spec.user ?? "", "at least one of user or group must be specified"),
    ]);
  }
}

function ruleReview(ctx: ResourceContext, body: Body, spec: ReviewSpec): Body {
  const { rules, errors } = ctx.core.authorizer.rulesFor(ctx.user, spec.namespace ?? "");
  const resourceRules = rules
    .filter((r) => !r.nonResourceURLs?.length)
    .map(({ nonResourceURLs: _n, ...r }) => r);
  const nonResourceRules = rules
    .filter((r: PolicyRule) => r.nonResourceURLs?.length)
    .map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
  const status: Body = { resourceRules, nonResourceRules, incomplete: errors.length > 0 };
  if (errors.length) status.evaluationError = errors.join(", ");
  return { ...body, status };
}

async function tokenReview(ctx: ResourceContext, body: Body, spec: ReviewSpec): Promise<Body> {
  const result = await ctx.core.authenticator.authenticateToken(spec.token ?? "", spec.audiences);
  const status: Body = { authenticated: !!result.user, user: result.user ?? {}, audiences: result.audiences };
  if (result.error) status.error = result.error;
  return { ...body, status };
}

const REVIEWS: Record<string, (ctx: ResourceContext, body: Body, spec: ReviewSpec) => Body | Promise<Body>> =
  {
    tokenreviews: tokenReview,
    subjectaccessreviews: (ctx, body, spec) => {
      requireSubject(ctx, spec);
      return accessReview(ctx, body, spec, subjectOf(spec));
    },
    localsubjectaccessreviews: (ctx, body, spec) => {
      requireSubject(ctx, spec);
      const namespace = spec.resourceAttributes?.namespace;
      if (namespace !== ctx.info.namespace) {
        throw invalid(ctx.kind.kind, ctx.kind.group, "", [
          fieldInvalid("spec.resourceAttributes.namespace", namespace ?? "", "must match metadata.namespace"),
        ]);
      }
      return accessReview(ctx, body, spec, subjectOf(spec));
    },
    selfsubjectaccessreviews: (ctx, body, spec) => accessReview(ctx, body, spec, ctx.user),
    selfsubjectrulesreviews: ruleReview,
    selfsubjectreviews: (ctx, body) => ({ ...body, status: { userInfo: ctx.user } }),
  };

export async function serveReview(ctx: ResourceContext): Promise<void> {
  const review = REVIEWS[ctx.kind.resource];
  if (!review || ctx.info.verb !== "create" || ctx.info.name) throw methodNotAllowed();
  const body = await readObject(ctx.req);
  if (!isPlainObject(body)) throw badRequest("Object 'Kind' is missing in the request body");
  const metadata: Body = { ...(isPlainObject(body.metadata) ? body.metadata : {}), creationTimestamp: null };
  if (ctx.kind.namespaced) metadata.namespace = ctx.info.namespace;
  const base: Body = { ...body, kind: ctx.kind.kind, apiVersion: apiVersionOf(ctx.kind), metadata };
  const answer = await review(ctx, base, specOf(body));
  // Reviews are not stored, but the real server still answers 201 Created.
  sendJson(ctx.res, 201, answer);
}
