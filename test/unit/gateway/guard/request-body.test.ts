import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_BODY_BYTES, mediaType, readObject } from "../../../../src/gateway/guard/request-body.ts";
import { BadRequest } from "../../../../src/shared/errors.ts";

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const refuses = (contentType: string, body: Buffer, pattern: RegExp) =>
  assert.throws(
    () => readObject(contentType, body),
    (err: unknown) => err instanceof BadRequest && err.code === 400 && pattern.test(err.message),
  );

describe("readObject: JSON", () => {
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "s", annotations: { "kubernetes.io/service-account.name": "default" } },
    type: "kubernetes.io/service-account-token",
  };

  it("reads the object as it is, complete", () => {
    assert.deepEqual(readObject("application/json", json(secret)), {
      object: secret,
      format: "json",
      complete: true,
    });
  });

  it("takes the media type in any case and with parameters", () => {
    assert.equal(readObject("Application/JSON; charset=utf-8", json(secret)).object.kind, "Secret");
    assert.equal(mediaType(" application/yaml ;x=y"), "application/yaml");
  });

  it("lets a repeated key's last value win, as Go's encoding/json does", () => {
    const body = Buffer.from(
      '{"kind":"Secret","type":"Opaque","type":"kubernetes.io/service-account-token"}',
    );
    assert.equal(readObject("application/json", body).object.type, "kubernetes.io/service-account-token");
  });

  it("keeps a __proto__ key as data", () => {
    const { object } = readObject(
      "application/json",
      Buffer.from('{"kind":"Secret","__proto__":{"type":"x"}}'),
    );
    assert.equal(Object.getPrototypeOf(object), Object.prototype);
    assert.equal(object.type, undefined);
    assert.deepEqual(Object.keys(object), ["kind", "__proto__"]);
  });

  it("refuses what is not a JSON object", () => {
    refuses("application/json", Buffer.from("{"), /not valid JSON/);
    refuses("application/json", Buffer.from("[]"), /must be an object/);
    refuses("application/json", Buffer.from("null"), /must be an object/);
    refuses("application/json", Buffer.from([0x7b, 0xff, 0x7d]), /not valid UTF-8/);
    // Go's decoder does not skip a byte order mark, so neither does this.
    refuses(
      "application/json",
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json(secret)]),
      /not valid JSON/,
    );
  });

  it("refuses deep nesting with a message, without overflowing the stack", () => {
    const deep = Buffer.from(`{"a":${"[".repeat(500_000)}${"]".repeat(500_000)}}`);
    refuses("application/json", deep, /nests deeper than 100 levels/);
  });

  it("refuses a body over 1 MiB before reading it", () => {
    const big = Buffer.alloc(MAX_BODY_BYTES + 1, 0x20);
    refuses("application/json", big, /1048577 bytes; the gateway reads at most 1048576/);
  });

  it("refuses a Content-Type it does not read, naming the ones it does", () => {
    refuses(
      "text/plain",
      json(secret),
      /application\/json, application\/yaml or application\/vnd.kubernetes.protobuf/,
    );
    refuses("", json(secret), /not ""/);
  });
});
