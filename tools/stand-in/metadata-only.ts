/**
 * Metadata-only answers, as the API server gives them when the Accept header asks for
 * `application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1` on a list (or
 * `as=PartialObjectMetadata` on one object): every object reduced to its `metadata`, so a
 * client that may list Secrets can look at them without receiving their data.
 * (k8s.io/apiserver/pkg/endpoints/handlers/response.go: transformObject,
 * asPartialObjectMetadata, asPartialObjectMetadataList.)
 */
import type { IncomingMessage } from "node:http";
import type { KubeObject } from "./objects.ts";
import { StatusError } from "./status.ts";

type MetadataKind = "PartialObjectMetadata" | "PartialObjectMetadataList";

/** The metadata-only form the first such entry of Accept asks for, with its meta.k8s.io version. */
export function wantsMetadata(req: IncomingMessage): { as: MetadataKind; version: string } | undefined {
  for (const entry of (req.headers.accept ?? "").split(",")) {
    const params = new Map(
      entry
        .split(";")
        .slice(1)
        .map((p) => p.trim().split("=") as [string, string]),
    );
    const as = params.get("as");
    if (as !== "PartialObjectMetadata" && as !== "PartialObjectMetadataList") continue;
    const version = params.get("v") ?? "";
    if (params.get("g") === "meta.k8s.io" && (version === "v1" || version === "v1beta1"))
      return { as, version };
  }
  return undefined;
}

function notAcceptable(message: string): StatusError {
  return new StatusError(406, "NotAcceptable", message);
}

function partial(object: KubeObject, version: string): KubeObject {
  return { kind: "PartialObjectMetadata", apiVersion: `meta.k8s.io/${version}`, metadata: object.metadata };
}

/** A list as PartialObjectMetadataList; the list's own metadata (resourceVersion, continue) kept. */
export function metadataList(
  wanted: { as: MetadataKind; version: string },
  kind: string,
  items: KubeObject[],
  metadata: Record<string, unknown>,
): unknown {
  if (wanted.as !== "PartialObjectMetadataList")
    throw notAcceptable(
      `you requested PartialObjectMetadata, but the requested object is a list (*v1.${kind}List)`,
    );
  return {
    kind: "PartialObjectMetadataList",
    apiVersion: `meta.k8s.io/${wanted.version}`,
    metadata,
    items: items.map((item) => partial(item, wanted.version)),
  };
}

/** One object as PartialObjectMetadata. */
export function metadataObject(
  wanted: { as: MetadataKind; version: string },
  object: KubeObject,
): KubeObject {
  if (wanted.as !== "PartialObjectMetadata")
    throw notAcceptable(
      `you requested PartialObjectMetadataList, but the requested object is not a list (*v1.${object.kind})`,
    );
  return partial(object, wanted.version);
}
