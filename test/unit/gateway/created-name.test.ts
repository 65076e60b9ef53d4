import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createdName } from "../../../src/gateway/created-name.ts";

/** Length-delimited protobuf field `number` holding `bytes`. */
const field = (number: number, bytes: Buffer) =>
  Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);

describe("the name of what a create made, from the cluster's answer", () => {
  it("reads JSON and the protobuf typed clients ask for", () => {
    assert.equal(
      createdName("application/json", Buffer.from('{"metadata":{"name":"web-7xk2"}}')),
      "web-7xk2",
    );
    const meta = Buffer.concat([field(2, Buffer.from("web-")), field(1, Buffer.from("web-7xk2"))]);
    const object = Buffer.concat([field(1, meta), field(2, Buffer.from("spec"))]);
    const unknown = Buffer.concat([field(1, Buffer.from("typemeta")), field(2, object)]);
    const body = Buffer.concat([Buffer.from("k8s\0", "latin1"), unknown]);
    assert.equal(createdName("application/vnd.kubernetes.protobuf", body), "web-7xk2");
  });

  it("gives up quietly on anything else", () => {
    assert.equal(createdName("application/json", Buffer.from("{not json")), undefined);
    assert.equal(
      createdName("application/vnd.kubernetes.protobuf", Buffer.from("k8s\0\x12\x7f", "latin1")),
      undefined,
    );
    assert.equal(createdName("text/plain", Buffer.from("web")), undefined);
  });
});
