import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readObject } from "../../../../src/gateway/guard/request-body.ts";
import { BadRequest } from "../../../../src/shared/errors.ts";
import { bytes, entry, envelope, key, message, number, objectMeta, varint } from "./protobuf-encoder.ts";

const PROTOBUF = "application/vnd.kubernetes.protobuf";
const RBAC = "rbac.authorization.k8s.io/v1";
const read = (raw: Buffer) => readObject(PROTOBUF, raw);

describe("readObject: protobuf read as the API server's Go code reads it", () => {
  it("merges a message field that appears twice, rather than keeping only the last", () => {
    // A decoder that replaced `spec` would miss the first occurrence's year-long expiration.
    const raw = Buffer.concat([message(2, number(4, 31536000)), message(2, bytes(1, "aud"))]);
    const { object } = read(envelope("authentication.k8s.io/v1", "TokenRequest", raw));
    assert.deepEqual(object.spec, { expirationSeconds: 31536000, audiences: ["aud"] });
  });

  it("appends a repeated field across occurrences and lets a scalar's last value win", () => {
    const raw = Buffer.concat([
      message(1, bytes(1, "first")),
      message(2, bytes(1, "User"), bytes(3, "a")),
      message(1, bytes(1, "second")),
      message(2, bytes(1, "User"), bytes(3, "b")),
    ]);
    const { object } = read(envelope(RBAC, "RoleBinding", raw));
    assert.deepEqual(object.metadata, { name: "second" });
    assert.deepEqual(
      (object.subjects as { name: string }[]).map((subject) => subject.name),
      ["a", "b"],
    );
  });

  it("keeps an int32's low 32 bits, as Go does (2^32 + 600 seconds is 600)", () => {
    const raw = message(2, number(8, 2n ** 32n + 600n), bytes(7, "kubernetes.io/kube-apiserver-client"));
    const { object } = read(envelope("certificates.k8s.io/v1", "CertificateSigningRequest", raw));
    assert.equal((object.spec as { expirationSeconds: number }).expirationSeconds, 600);
  });

  it("reads a negative int64 written in ten bytes", () => {
    const { object } = read(envelope("authentication.k8s.io/v1", "TokenRequest", message(2, number(4, -1))));
    assert.deepEqual(object.spec, { expirationSeconds: -1 });
  });

  it("reads a field number as Go's int32 truncation of the key: (2^32 + 2) << 3 is field 2", () => {
    const subject = Buffer.concat([bytes(1, "User"), bytes(3, "eve")]);
    const raw = Buffer.concat([key(2 ** 32 + 2, 2), varint(subject.length), subject]);
    const { object } = read(envelope(RBAC, "RoleBinding", raw));
    assert.deepEqual(object.subjects, [{ kind: "User", name: "eve" }]);
  });

  it("marks the result incomplete when a field number is unknown, and still reads the rest", () => {
    const raw = Buffer.concat([objectMeta("rb"), bytes(99, "future"), number(98, 1)]);
    const read1 = read(envelope(RBAC, "RoleBinding", raw));
    assert.equal(read1.complete, false);
    assert.deepEqual(read1.object.metadata, { name: "rb" });
    // Unknown inside a nested message, a map entry and the envelope count too.
    assert.equal(read(envelope(RBAC, "RoleBinding", message(3, bytes(9, "x")))).complete, false);
    assert.equal(
      read(envelope("v1", "Secret", message(2, bytes(1, "k"), bytes(2, "v"), bytes(3, "z")))).complete,
      false,
    );
    assert.equal(read(envelope(RBAC, "Role", Buffer.alloc(0), bytes(7, "extra"))).complete, false);
    // ObjectMeta's field 15 (clusterName) is gone from the API: unknown, like any other.
    assert.equal(read(envelope(RBAC, "Role", message(1, bytes(15, "c")))).complete, false);
  });
});

describe("readObject: protobuf bodies that are refused", () => {
  const refuses = (raw: Buffer, pattern: RegExp) =>
    assert.throws(
      () => read(raw),
      (err: unknown) => err instanceof BadRequest && pattern.test(err.message),
    );

  it("refuses a kind the guard has no schema for, and a body that names none", () => {
    refuses(
      envelope("v1", "ConfigMap", Buffer.alloc(0)),
      /does not read v1 ConfigMap in protobuf; send it as application\/json/,
    );
    refuses(envelope("", "", Buffer.alloc(0)), /does not name its apiVersion and kind/);
  });

  it("refuses a body without the k8s\\0 prefix, or with nothing after it", () => {
    refuses(Buffer.from("{}"), /does not begin with "k8s\\0"/);
    refuses(Buffer.from("k8s\0", "latin1"), /empty after its k8s\\0 prefix/);
  });

  it("refuses truncated varints, over-long varints and lengths past the end", () => {
    // Field 9 is unknown to Role, so these are read only to be stepped over, which must still stop.
    refuses(envelope(RBAC, "Role", Buffer.from([0x48, 0x80])), /a varint runs past the end/);
    refuses(
      envelope(RBAC, "Role", Buffer.from([0x48, ...Buffer.alloc(10, 0xff), 0x01])),
      /longer than 10 bytes/,
    );
    refuses(envelope(RBAC, "Role", Buffer.from([0x4a, 0x7f, 0x01])), /a length runs past the end/);
    refuses(
      envelope(RBAC, "Role", Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])),
      /a length runs past the end/,
    );
    refuses(
      envelope(RBAC, "Role", Buffer.from([0x0a, ...Buffer.from("ffffffffffffffffff01", "hex")])),
      /length is negative/,
    );
  });

  it("refuses a known field with the wrong wire type, groups, and field number 0", () => {
    refuses(envelope(RBAC, "Role", number(1, 5)), /metadata has wire type 0, not 2/);
    refuses(envelope(RBAC, "Role", Buffer.from([0x5b, 0x5c])), /group/);
    refuses(envelope(RBAC, "Role", Buffer.from([0x02, 0x00])), /field number 0/);
    refuses(
      Buffer.concat([Buffer.from("k8s\0", "latin1"), number(2, 1)]),
      /runtime.Unknown field 2 has wire type 0/,
    );
  });

  it("steps over deeply nested unknown fields without recursing, marking the body incomplete", () => {
    let nested = bytes(1, "x");
    for (let i = 0; i < 5000; i++) nested = message(99, nested);
    const read1 = read(envelope(RBAC, "Role", Buffer.concat([objectMeta("r"), nested])));
    assert.deepEqual(read1, {
      object: { apiVersion: RBAC, kind: "Role", metadata: { name: "r" } },
      format: "protobuf",
      complete: false,
    });
  });

  it("keeps a map key such as __proto__ as data", () => {
    const { object } = read(envelope("v1", "Secret", entry(2, "__proto__", bytes(2, "x"))));
    const data = object.data as Record<string, unknown>;
    assert.deepEqual(Object.keys(data), ["__proto__"]);
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
  });

  it("refuses strings that are not UTF-8 rather than reading them as something else", () => {
    refuses(
      envelope(RBAC, "RoleBinding", message(2, bytes(3, Buffer.from([0x61, 0xff])))),
      /name is not valid UTF-8/,
    );
  });

  it("reads a body near 1 MiB of repeated subjects, and refuses one over 1 MiB before decoding", () => {
    const subject = message(2, bytes(1, "User"), bytes(3, "u"));
    const many = Buffer.concat(Array.from({ length: Math.floor(1_000_000 / subject.length) }, () => subject));
    const { object } = read(envelope(RBAC, "RoleBinding", many));
    assert.equal((object.subjects as unknown[]).length, Math.floor(1_000_000 / subject.length));
    refuses(envelope(RBAC, "RoleBinding", Buffer.concat([many, many])), /gateway reads at most 1048576/);
  });
});
