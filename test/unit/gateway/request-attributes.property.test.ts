import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  parseQuery,
  parseRequestAttributes,
  type RequestAttributes,
} from "../../../src/gateway/request-attributes.ts";
import { isCleanSegment } from "../../../src/gateway/request-attributes-path.ts";
import { BadRequest } from "../../../src/shared/errors.ts";

const RUNS = { numRuns: 2000 };
const METHODS = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
  "get",
  "PROPFIND",
  "constructor",
];
// Characters RFC 3986 lets a path segment carry unencoded (besides `%`).
const RAW_OK = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]$/;

/** Segments built from the pieces that make parsers disagree, and from anything at all. */
const hostileSegment = fc.oneof(
  fc.constantFrom(
    ...[
      "",
      ".",
      "..",
      "%2e",
      "%2E%2e",
      ".%2e",
      "%2f",
      "a%2Fb",
      "%5c",
      "%5C",
      "\\",
      "%00",
      "%",
      "%z",
      "%4",
      "%ff",
    ],
    ...[
      "%C3%A9",
      "%C0%AF",
      "%ED%A0%80",
      "\uD800",
      "é",
      " ",
      "?",
      "#",
      "api",
      "apis",
      "v1",
      "apps",
      "namespaces",
    ],
    ...[
      "watch",
      "proxy",
      "status",
      "finalize",
      "pods",
      "exec",
      "log",
      "a",
      "team-a",
      "constructor",
      "__proto__",
    ],
  ),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.string({ unit: "binary-ascii", maxLength: 8 }),
);
// Often behind a real API prefix, so that hostile segments land where resources and names are read.
const hostilePath = fc
  .tuple(
    fc.constantFrom("", "/", "/api/v1/", "/apis/apps/v1/", "/api/v1/namespaces/", "/api/v1/watch/"),
    fc.array(hostileSegment, { maxLength: 9 }),
    fc.boolean(),
  )
  .map(([prefix, segments, trailing]) => `${prefix}${segments.join("/")}${trailing ? "/" : ""}`);
const rawQuery = fc.oneof(
  fc.string({ unit: "binary-ascii", maxLength: 40 }),
  fc
    .array(
      fc.tuple(
        fc.constantFrom("watch", "fieldSelector", "labelSelector", "limit", "timeoutSeconds", "x"),
        fc.string({ unit: "binary", maxLength: 20 }),
      ),
      { maxLength: 4 },
    )
    .map((pairs) => new URLSearchParams(pairs).toString()),
);

/** A character, and how to write it in a path: raw when allowed and chosen, else percent-encoded in either case. */
const pathChar = fc.record({
  char: fc.oneof(
    fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    fc.constantFrom(".", "-", "a", "%", "~"),
  ),
  raw: fc.boolean(),
  upper: fc.boolean(),
});
const cleanSegment = fc
  .array(pathChar, { minLength: 1, maxLength: 12 })
  .map((chars) => ({ text: chars.map((c) => c.char).join(""), encoded: chars.map(encodeChar).join("") }))
  .filter(({ text }) => isCleanSegment(text));

function encodeChar({ char, raw, upper }: { char: string; raw: boolean; upper: boolean }): string {
  if (raw && RAW_OK.test(char)) return char;
  const hex = [...new TextEncoder().encode(char)].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");
  return upper ? hex.toUpperCase() : hex;
}

function attempt(method: string, path: string, query: string): RequestAttributes | BadRequest {
  try {
    return parseRequestAttributes(method, path, parseQuery(query));
  } catch (err) {
    if (err instanceof BadRequest) return err;
    throw err;
  }
}

describe("parseRequestAttributes, property-tested", () => {
  it("never throws anything but BadRequest", () => {
    fc.assert(
      fc.property(fc.constantFrom(...METHODS), hostilePath, rawQuery, (method, path, query) => {
        attempt(method, path, query);
      }),
      RUNS,
    );
  });

  it("names namespaces, resources, subresources, names, groups and versions by single clean segments", () => {
    fc.assert(
      fc.property(fc.constantFrom(...METHODS), hostilePath, rawQuery, (method, path, query) => {
        const attrs = attempt(method, path, query);
        if (attrs instanceof BadRequest) return;
        for (const field of [
          "namespace",
          "resource",
          "subresource",
          "name",
          "apiGroup",
          "apiVersion",
        ] as const) {
          const value = attrs[field];
          assert.ok(value === "" || isCleanSegment(value), `${field} ${JSON.stringify(value)} from ${path}`);
        }
      }),
      RUNS,
    );
  });

  it("takes from a fieldSelector only a name that is a clean segment", () => {
    const name = fc.oneof(
      fc.string({ unit: "binary-ascii", maxLength: 10 }),
      fc.constantFrom(".", "..", "a/b", "a\\b", "a%2Fb", "a\u0000", "web"),
    );
    fc.assert(
      fc.property(name, fc.boolean(), (value, watch) => {
        const query = new URLSearchParams({ fieldSelector: `metadata.name=${value}`, watch: String(watch) });
        const attrs = parseRequestAttributes("GET", "/api/v1/namespaces/a/pods", query);
        assert.equal(attrs.verb, watch ? "watch" : "list");
        assert.ok(attrs.name === "" || isCleanSegment(attrs.name), JSON.stringify(attrs.name));
      }),
      RUNS,
    );
  });

  it("decodes whatever way each character was encoded", () => {
    fc.assert(
      fc.property(fc.array(cleanSegment, { maxLength: 8 }), (segments) => {
        const raw = `/${segments.map((s) => s.encoded).join("/")}`;
        const attrs = parseRequestAttributes("GET", raw, new URLSearchParams());
        assert.equal(attrs.path, `/${segments.map((s) => s.text).join("/")}`);
      }),
      RUNS,
    );
  });

  it("finds the namespace, resource, name and subresource wherever they sit", () => {
    const resource = cleanSegment.filter(({ text }) => text !== "status" && text !== "finalize");
    fc.assert(
      fc.property(cleanSegment, resource, cleanSegment, cleanSegment, (namespace, kind, name, sub) => {
        const path = `/api/v1/namespaces/${namespace.encoded}/${kind.encoded}/${name.encoded}/${sub.encoded}`;
        const attrs = parseRequestAttributes("PATCH", path, new URLSearchParams());
        assert.deepEqual(
          [attrs.verb, attrs.namespace, attrs.resource, attrs.name, attrs.subresource],
          ["patch", namespace.text, kind.text, name.text, sub.text],
        );
      }),
      RUNS,
    );
  });

  it("refuses any path with a dot segment, however it is written", () => {
    const dot = fc.constantFrom(".", "%2e", "%2E");
    const dotSegment = fc.oneof(
      dot,
      fc.tuple(dot, dot).map(([a, b]) => a + b),
    );
    fc.assert(
      fc.property(fc.array(cleanSegment, { maxLength: 6 }), dotSegment, fc.nat(), (segments, bad, at) => {
        const encoded = segments.map((s) => s.encoded);
        encoded.splice(at % (encoded.length + 1), 0, bad);
        assert.ok(attempt("GET", `/${encoded.join("/")}`, "") instanceof BadRequest);
      }),
      RUNS,
    );
  });

  it("refuses any path with an encoded slash or backslash", () => {
    const separator = fc.constantFrom("%2f", "%2F", "%5c", "%5C");
    const withSeparator = fc
      .tuple(fc.option(cleanSegment), separator, fc.option(cleanSegment))
      .map(([before, sep, after]) => `${before?.encoded ?? ""}${sep}${after?.encoded ?? ""}`);
    fc.assert(
      fc.property(fc.array(cleanSegment, { maxLength: 6 }), withSeparator, fc.nat(), (segments, bad, at) => {
        const encoded = segments.map((s) => s.encoded);
        encoded.splice(at % (encoded.length + 1), 0, bad);
        assert.ok(attempt("GET", `/${encoded.join("/")}`, "") instanceof BadRequest);
      }),
      RUNS,
    );
  });

  it("gives every resource request a Kubernetes verb, and none only to methods Kubernetes has none for", () => {
    const verbs = [
      "get",
      "list",
      "watch",
      "create",
      "update",
      "patch",
      "delete",
      "deletecollection",
      "proxy",
    ];
    const methodsWithVerbs = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
    fc.assert(
      fc.property(fc.constantFrom(...METHODS), hostilePath, rawQuery, (method, path, query) => {
        const attrs = attempt(method, path, query);
        if (attrs instanceof BadRequest || !attrs.isResourceRequest) return;
        if (attrs.verb === "") assert.ok(!methodsWithVerbs.includes(method), method);
        else assert.ok(verbs.includes(attrs.verb), attrs.verb);
      }),
      RUNS,
    );
  });
});
