import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { PassThrough, Writable } from "node:stream";
import { describe, it } from "node:test";
import { StreamRelay } from "../../../src/gateway/stream-relay.ts";
import { WebSocketEnding } from "../../../src/gateway/websocket-ending.ts";

/** A client end that keeps what it is sent, in the order of the writes. */
function client() {
  const writes: Buffer[] = [];
  const to = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(Buffer.from(chunk));
      done();
    },
  });
  return { to, writes, text: () => Buffer.concat(writes).toString() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("a watch or log relayed so that it can end with a reason", () => {
  it("relays whole watch events only, and ends after the last whole one with an ERROR event", async () => {
    const from = new PassThrough();
    const { to, writes, text } = client();
    const relay = new StreamRelay(
      from as unknown as IncomingMessage,
      to as unknown as ServerResponse,
      "watch",
    );
    from.write('{"type":"ADDED","object":{"a":1}}\n{"type":"MOD');
    await tick();
    assert.equal(text(), '{"type":"ADDED","object":{"a":1}}\n', "half an event is held back");
    relay.cut("grant g1 was revoked by admin");
    await tick();
    const lines = text().trimEnd().split("\n");
    assert.equal(lines.length, 2, "the half event is never sent");
    const last = JSON.parse(lines[1]!);
    assert.equal(last.type, "ERROR");
    assert.deepEqual(
      {
        kind: last.object.kind,
        status: last.object.status,
        code: last.object.code,
        message: last.object.message,
      },
      { kind: "Status", status: "Failure", code: 403, message: "grant g1 was revoked by admin" },
    );
    assert.ok(to.writableEnded);
    from.write("more\n");
    await tick();
    assert.equal(writes.length, 2, "nothing after the end");
  });

  it("gives a log a last line of its own, on a line of its own", async () => {
    const from = new PassThrough();
    const { to, text } = client();
    const relay = new StreamRelay(from as unknown as IncomingMessage, to as unknown as ServerResponse, "log");
    from.write("line one\npartial");
    await tick();
    relay.cut("grant g1 expired");
    await tick();
    assert.equal(text(), "line one\npartial\nkube-broker: grant g1 expired\n");
  });
});

describe("a WebSocket session ended with a reason", () => {
  const frame = (opcode: number, payload: Buffer) =>
    Buffer.concat([Buffer.from([0x80 | opcode, payload.length]), payload]);

  it("relays whole frames only, then the Status on the error channel and a normal close with the reason", async () => {
    const from = new PassThrough();
    const { to, text, writes } = client();
    const ending = new WebSocketEnding(from, to as unknown as PassThrough, "v5.channel.k8s.io");
    const stdout = frame(0x2, Buffer.concat([Buffer.from([1]), Buffer.from("hello")]));
    from.write(Buffer.concat([stdout, stdout.subarray(0, 3)]));
    await tick();
    assert.deepEqual(Buffer.concat(writes), stdout, "the split frame waits for its rest");
    ending.cut("grant g1 was revoked");
    await tick();
    const sent = Buffer.concat(writes).subarray(stdout.length);
    assert.equal(sent[0], 0x82, "a binary frame");
    const [length, start] = sent[1] === 126 ? [sent.readUInt16BE(2), 4] : [sent[1]!, 2];
    assert.equal(sent[start], 3, "on the error channel");
    const status = JSON.parse(sent.subarray(start + 1, start + length).toString());
    assert.equal(status.message, "grant g1 was revoked");
    const close = sent.subarray(start + length);
    assert.equal(close[0], 0x88, "then a close frame");
    assert.equal(close.readUInt16BE(2), 1000);
    assert.equal(close.subarray(4).toString(), "grant g1 was revoked");
    assert.ok(text().length > 0 && to.writableEnded);
  });

  it("tells any other subprotocol only through the close frame", async () => {
    const { to, writes } = client();
    new WebSocketEnding(new PassThrough(), to as unknown as PassThrough, "SPDY/3.1+portforward.k8s.io").cut(
      "x".repeat(300),
    );
    await tick();
    const sent = Buffer.concat(writes);
    assert.equal(sent[0], 0x88);
    assert.equal(sent[1], 2 + 123, "the reason is cut to what a close frame holds");
  });
});
