/**
 * OpenAPI v3 for what kubectl reads: `create -f` / `apply -f` validation asks the
 * per-group-version documents whether PATCH accepts the `fieldValidation` query parameter,
 * and if so leaves validation to the server; `kubectl explain` finds a kind's schema in
 * `components.schemas` by its `x-kubernetes-group-version-kind` and walks its properties
 * (schema/openapi-kinds.ts). Each document lists, per kind, the object path with its PATCH
 * operation and that parameter. (OpenAPI v2 stays 404.) The stand-in accepts
 * `fieldValidation` but does not reject unknown fields the way a real server's Strict mode would.
 */
import { createHash } from "node:crypto";
import type { RequestContext } from "../context.ts";
import { sendJson } from "../http-io.ts";
import { GROUP_VERSIONS, type KindInfo, kindsIn } from "../kinds.ts";
import { schemasFor } from "../schema/openapi-kinds.ts";
import { VERSION_INFO } from "../version.ts";

const ALL_GROUP_VERSIONS = [{ group: "", version: "v1" }, ...GROUP_VERSIONS];

function prefixOf(gv: { group: string; version: string }): string {
  return gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`;
}

function objectPath(kind: KindInfo): string {
  const scope = kind.namespaced ? "/namespaces/{namespace}" : "";
  return `/${prefixOf(kind)}${scope}/${kind.resource}/{name}`;
}

/** What the real PATCH operations declare (operation-level, where kubectl looks for them). */
const WRITE_PARAMETERS = ["dryRun", "fieldManager", "fieldValidation"].map((name) => ({
  name,
  in: "query",
  schema: { type: "string", uniqueItems: true },
}));

function document(gv: { group: string; version: string }): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const kind of kindsIn(gv.group, gv.version).filter((k) => k.stored)) {
    paths[objectPath(kind)] = {
      patch: {
        operationId: `patch${kind.kind}`,
        parameters: WRITE_PARAMETERS,
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": { group: kind.group, version: kind.version, kind: kind.kind },
      },
    };
  }
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: VERSION_INFO.gitVersion },
    paths,
    components: { schemas: schemasFor(gv.group, gv.version) },
  };
}

const hashOf = (value: unknown) =>
  createHash("sha512").update(JSON.stringify(value)).digest("hex").toUpperCase();

export function serveOpenApiIndex({ res }: RequestContext): void {
  const paths = Object.fromEntries(
    ALL_GROUP_VERSIONS.map((gv) => [
      prefixOf(gv),
      { serverRelativeURL: `/openapi/v3/${prefixOf(gv)}?hash=${hashOf(document(gv))}` },
    ]),
  );
  sendJson(res, 200, { paths });
}

/** `/openapi/v3/api/v1`, `/openapi/v3/apis/<group>/<version>`; false when there is no such document. */
export function serveOpenApiDocument({ res }: RequestContext, prefix: string): boolean {
  const gv = ALL_GROUP_VERSIONS.find((candidate) => prefixOf(candidate) === prefix);
  if (!gv) return false;
  sendJson(res, 200, document(gv), {
    "cache-control": "public, immutable",
    etag: `"${hashOf(document(gv))}"`,
  });
  return true;
}
