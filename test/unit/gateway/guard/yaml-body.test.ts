import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readObject } from "../../../../src/gateway/guard/request-body.ts";
import { BadRequest } from "../../../../src/shared/errors.ts";

const yaml = (text: string) => readObject("application/yaml", Buffer.from(text)).object;
const refuses = (text: string, pattern: RegExp) =>
  assert.throws(
    () => yaml(text),
    (err: unknown) => err instanceof BadRequest && pattern.test(err.message),
  );

describe("readObject: YAML as the API server reads it (go-yaml v2, YAML 1.1)", () => {
  it("reads a manifest, format yaml and complete", () => {
    const read = readObject(
      "application/yaml",
      Buffer.from(`apiVersion: authentication.k8s.io/v1
kind: TokenRequest
spec:
  audiences: [vault]
  expirationSeconds: 600
`),
    );
    assert.deepEqual(read, {
      object: {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: { audiences: ["vault"], expirationSeconds: 600 },
      },
      format: "yaml",
      complete: true,
    });
  });

  it("reads numbers by YAML 1.1's rules: leading-0 octal, hex, binary, underscores", () => {
    // Read with YAML 1.2 rules, 0100000000 would be 100000000, not 16777216.
    assert.deepEqual(
      yaml(
        "a: 0100000000\nb: 0x10\nc: 0b101\nd: 1_000_000\ne: -0o17\nf: +12\ng: 08\nh: 1e3\ni: .5\nj: 9223372036854775808",
      ),
      { a: 16777216, b: 16, c: 5, d: 1000000, e: -15, f: 12, g: 8, h: 1000, i: 0.5, j: 2 ** 63 },
    );
  });

  it("reads y, yes, on as true and n, no, off as false; ~ and an empty value as null", () => {
    assert.deepEqual(yaml("a: y\nb: Yes\nc: ON\nd: n\ne: NO\nf: off\ng: ~\nh:\ni: True\nj: tRUE"), {
      a: true,
      b: true,
      c: true,
      d: false,
      e: false,
      f: false,
      g: null,
      h: null,
      i: true,
      j: "tRUE",
    });
  });

  it("keeps quoted and block scalars, timestamps and over-large numbers as text", () => {
    assert.deepEqual(
      yaml("a: '0100'\nb: \"yes\"\nc: |\n  y\nd: 2001-12-14\ne: 1e400\nf: 0xFFFFFFFFFFFFFFFFFF\ng: !!str 12"),
      {
        a: "0100",
        b: "yes",
        c: "y\n",
        d: "2001-12-14",
        e: "1e400",
        f: "0xFFFFFFFFFFFFFFFFFF",
        g: "12",
      },
    );
  });

  it('turns keys into strings as sigs.k8s.io/yaml does: y is "true", 010 is "8"', () => {
    assert.deepEqual(yaml("y: a\n010: b\nfalse: c\n.inf: d"), {
      true: "a",
      "8": "b",
      false: "c",
      ".inf": "d",
    });
  });

  it("expands anchors and aliases", () => {
    assert.deepEqual(yaml("base: &s {kind: User, name: a}\nsubjects: [*s, *s]"), {
      base: { kind: "User", name: "a" },
      subjects: [
        { kind: "User", name: "a" },
        { kind: "User", name: "a" },
      ],
    });
  });

  it("refuses merge keys, whose precedence go-yaml v2 reverses", () => {
    refuses("spec:\n  expirationSeconds: 600\n  <<: {expirationSeconds: 99999999}", /merge keys/);
  });

  it("refuses tags it does not read, rather than guessing their meaning", () => {
    refuses("a: !!int '5'", /YAML tag tag:yaml.org,2002:int/);
    refuses("a: !!binary aGk=", /YAML tag/);
    refuses("a: !custom {b: 1}", /YAML tag !custom/);
  });

  it("refuses keys that cannot become JSON keys, and repeated keys", () => {
    refuses("~: a", /map key .* is null/);
    refuses("1.5: a", /reads as a fractional number; quote it/);
    refuses("? [a]\n: b", /map or a list/);
    refuses("a: 1\na: 2", /repeats the key "a"/);
    refuses("yes: 1\ntrue: 2", /repeats the key "true"/);
  });

  it("refuses more than one document, none, and what is not an object", () => {
    refuses("kind: Secret\n---\nkind: Secret\n", /holds 2 documents; send one object per request/);
    refuses("", /holds no document/);
    refuses("# only a comment\n", /holds no document/);
    refuses("- a\n- b\n", /must be an object/);
    refuses("a: [\n", /not valid YAML/);
    refuses("a: .nan", /\.inf or \.nan/);
  });

  it("bounds what aliases expand to (a billion laughs)", () => {
    const lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 10; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(", ")}]`,
      );
    refuses(lines.join("\n"), /expands to more than 1000000 values/);
  });

  it("refuses deep nesting and alias cycles without overflowing the stack", () => {
    refuses(`a: ${"[".repeat(200_000)}${"]".repeat(200_000)}`, /nests (deeper|too deeply)/);
    refuses("a: &x [*x]", /nests deeper than 100 levels|not defined before/);
  });
});
