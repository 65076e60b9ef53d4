import type { ComponentChildren } from "preact";
import type { Resource } from "../use-resource.ts";
import { ErrorMessage } from "./alert.tsx";

/** A resource's content once loaded; its error (kept beside stale data while polling); or "Loading…". */
export function Loaded<T>(props: { resource: Resource<T>; children: (data: T) => ComponentChildren }) {
  const { data, error } = props.resource;
  return (
    <>
      <ErrorMessage messages={error ? [error.message] : []} />
      {data !== undefined ? props.children(data) : error ? null : <p class="hint">Loading…</p>}
    </>
  );
}
