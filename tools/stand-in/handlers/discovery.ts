/**
 * The non-resource paths: version and health, legacy discovery (/api, /apis, /api/v1,
 * /apis/<g>, /apis/<g>/<v>) and service-account issuer discovery. Aggregated discovery is not
 * offered: like a server without it, the plain JSON forms are sent whatever the Accept header
 * prefers, and clients (kubectl included) fall back to them. OpenAPI v2 is absent (404);
 * v3 is the minimum kubectl needs to validate `create -f` (see openapi.ts).
 */
import type { RequestContext } from "../context.ts";
import { sendJson, sendText } from "../http-io.ts";
import { apiVersionOf, GROUP_VERSIONS, type KindInfo, kindsIn, verbsOf } from "../kinds.ts";
import { VERSION_INFO } from "../version.ts";
import { serveOpenApiDocument, serveOpenApiIndex } from "./openapi.ts";

function resourceEntries(kind: KindInfo): Record<string, unknown>[] {
  const main: Record<string, unknown> = {
    name: kind.resource,
    singularName: kind.singular,
    namespaced: kind.namespaced,
    kind: kind.kind,
    verbs: verbsOf(kind),
  };
  if (kind.shortNames) main.shortNames = kind.shortNames;
  if (kind.categories) main.categories = kind.categories;
  const subresources = kind.subresources.map((sub) => {
    const entry: Record<string, unknown> = {
      name: `${kind.resource}/${sub.name}`,
      singularName: "",
      namespaced: kind.namespaced,
      kind: sub.kind,
      verbs: sub.verbs,
    };
    if (sub.group) entry.group = sub.group;
    if (sub.version) entry.version = sub.version;
    return entry;
  });
  return [main, ...subresources];
}

function resourceList(group: string, version: string): unknown {
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: apiVersionOf({ group, version }),
    resources: kindsIn(group, version).flatMap(resourceEntries),
  };
}

function apiGroup(group: string): Record<string, unknown> {
  const versions = GROUP_VERSIONS.filter((gv) => gv.group === group).map((gv) => ({
    groupVersion: apiVersionOf(gv),
    version: gv.version,
  }));
  return { name: group, versions, preferredVersion: versions[0] };
}

type Handler = (ctx: RequestContext, match: RegExpExecArray) => void;

const ROUTES: [RegExp, Handler][] = [
  [/^\/version\/?$/, ({ res }) => sendJson(res, 200, VERSION_INFO)],
  [/^\/(healthz|livez|readyz)$/, ({ res }) => sendText(res, 200, "ok")],
  [
    /^\/api\/?$/,
    ({ res, core }) =>
      sendJson(res, 200, {
        kind: "APIVersions",
        versions: ["v1"],
        serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: new URL(core.url).host }],
      }),
  ],
  [/^\/api\/v1\/?$/, ({ res }) => sendJson(res, 200, resourceList("", "v1"))],
  [
    /^\/apis\/?$/,
    ({ res }) => {
      const groups = [...new Set(GROUP_VERSIONS.map((gv) => gv.group))].map(apiGroup);
      sendJson(res, 200, { kind: "APIGroupList", apiVersion: "v1", groups });
    },
  ],
  [
    /^\/apis\/([^/]+)\/?$/,
    ({ res }, m) => {
      if (!GROUP_VERSIONS.some((gv) => gv.group === m[1])) return notFound(res);
      sendJson(res, 200, { kind: "APIGroup", apiVersion: "v1", ...apiGroup(m[1]!) });
    },
  ],
  [
    /^\/apis\/([^/]+)\/([^/]+)\/?$/,
    ({ res }, m) => {
      if (!GROUP_VERSIONS.some((gv) => gv.group === m[1] && gv.version === m[2])) return notFound(res);
      sendJson(res, 200, resourceList(m[1]!, m[2]!));
    },
  ],
  [/^\/openapi\/v3\/?$/, serveOpenApiIndex],
  [
    /^\/openapi\/v3\/(.+?)\/?$/,
    (ctx, m) => {
      if (!serveOpenApiDocument(ctx, m[1]!)) notFound(ctx.res);
    },
  ],
  [
    /^\/\.well-known\/openid-configuration\/?$/,
    ({ res, core }) => sendJson(res, 200, core.issuer.discovery(core.url)),
  ],
  [
    /^\/openid\/v1\/jwks\/?$/,
    ({ res, core }) => sendJson(res, 200, core.issuer.jwks(), { "content-type": "application/jwk-set+json" }),
  ],
];

/** What the Go mux answers for an unknown path. */
export function notFound(res: RequestContext["res"]): void {
  sendText(res, 404, "404 page not found\n");
}

export function serveNonResource(ctx: RequestContext): void {
  const isRead = ctx.req.method === "GET" || ctx.req.method === "HEAD";
  for (const [pattern, handler] of ROUTES) {
    const match = isRead ? pattern.exec(ctx.url.pathname) : null;
    if (match) {
      handler(ctx, match);
      return;
    }
  }
  notFound(ctx.res);
}
