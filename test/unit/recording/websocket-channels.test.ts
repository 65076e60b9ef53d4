import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import fc from "fast-check";
import { webSocketChannelDecoder } from "../../../src/recording/frames/websocket-channels.ts";
import type { DecoderCallbacks } from "../../../src/recording/session-event.ts";
import { byteByByte, cutAt, run, type Step } from "./decoder-harness.ts";
import { type Capture, captureWebSocket, frame, MASK, message } from "./websocket-bytes.ts";

const V5 = "v5.channel.k8s.io";
const v5 = (callbacks: DecoderCallbacks) => webSocketChannelDecoder(V5, callbacks);
const withHead = (callbacks: DecoderCallbacks) =>
  webSocketChannelDecoder(V5, callbacks, { serverHead: true });

const BIG = Buffer.alloc(100_000, "0123456789abcdef");
const MEDIUM = Buffer.alloc(300, "xyz");
const STATUS = JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success" });

/** A session between real `ws` peers: what kubectl and the API server exchange, in miniature. */
function session(): Promise<Capture> {
  return captureWebSocket({
    protocol: V5,
    client(ws) {
      ws.send(message(0, "ls -la\r"));
      ws.send(message(4, '{"Width":120,"Height":40}'));
      ws.ping();
      ws.send(message(0, "ec"), { fin: false });
      ws.ping();
      ws.send(Buffer.from("ho hé\r"), { fin: true });
      ws.send(message(1, "forged output")); // a client may not write stdout
      ws.send(Buffer.from([255, 0])); // v5: stdin is closed
    },
    server(ws) {
      ws.send(message(1, "hello\n"));
      ws.send(message(2, "warning\n"));
      ws.ping();
      ws.send(message(1, BIG));
      ws.send(message(1, MEDIUM));
      ws.send(message(3, STATUS));
      setTimeout(() => ws.close(1000), 50);
    },
  });
}

const EXPECTED = [
  { stream: "stdin", data: "ls -la\r" },
  { stream: "resize", data: '{"Width":120,"Height":40}' },
  { stream: "stdin", data: Buffer.from("echo hé\r").toString("latin1") },
  { stream: "stdout", data: "hello\n" },
  { stream: "stderr", data: "warning\n" },
  { stream: "stdout", data: BIG.toString("latin1") + MEDIUM.toString("latin1") },
  { stream: "error", data: STATUS },
];

describe("WebSocket channel decoder", () => {
  let capture: Capture;
  let steps: Step[];
  before(async () => {
    capture = await session();
    const head = capture.server.indexOf("\r\n\r\n") + 4;
    steps = [
      { from: "client", bytes: capture.client },
      { from: "server", bytes: capture.server.subarray(head) },
    ];
  });

  it("reads a real ws session: masked client frames, 16- and 64-bit lengths, fragments, pings", () => {
    const outcome = run(v5, steps);
    assert.deepEqual(outcome.errors, []);
    assert.deepEqual(outcome.events, EXPECTED);
  });

  it("skips the 101 response head when asked, across any chunk boundary", () => {
    const full: Step[] = [steps[0]!, { from: "server", bytes: capture.server }];
    assert.deepEqual(run(withHead, full).events, EXPECTED);
    assert.deepEqual(run(withHead, full, byteByByte), { events: EXPECTED, errors: [] });
  });

  it("says the same fed byte by byte or cut anywhere", () => {
    assert.deepEqual(run(v5, steps, byteByByte), { events: EXPECTED, errors: [] });
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 40 }), (offsets) => {
        assert.deepEqual(run(v5, steps, cutAt(offsets)), { events: EXPECTED, errors: [] });
      }),
      { numRuns: 150 },
    );
  });

  it("reads v4 and the base64 protocols alike", () => {
    const text = (channel: number, data: string) =>
      Buffer.from(`${channel}${Buffer.from(data).toString("base64")}`);
    const base64Steps: Step[] = [
      { from: "client", bytes: frame({ opcode: 1, payload: text(0, "whoami\r"), mask: MASK }) },
      {
        from: "server",
        bytes: Buffer.concat([
          frame({ opcode: 1, payload: text(1, "root\n").subarray(0, 3), fin: false }),
          frame({ opcode: 0, payload: text(1, "root\n").subarray(3) }),
          frame({ opcode: 2, payload: message(1, "binary is not this protocol") }),
        ]),
      },
    ];
    const expected = [
      { stream: "stdin", data: "whoami\r" },
      { stream: "stdout", data: "root\n" },
    ];
    for (const protocol of ["v4.base64.channel.k8s.io", "base64.channel.k8s.io"]) {
      const make = (callbacks: DecoderCallbacks) => webSocketChannelDecoder(protocol, callbacks);
      assert.deepEqual(run(make, base64Steps, byteByByte), { events: expected, errors: [] }, protocol);
    }
    const v4 = (callbacks: DecoderCallbacks) => webSocketChannelDecoder("v4.channel.k8s.io", callbacks);
    assert.deepEqual(run(v4, steps).events, EXPECTED);
  });

  it("keeps an error Status and a size whole, however they are fragmented", () => {
    const status = message(3, STATUS);
    const bytes = Buffer.concat([
      frame({ opcode: 2, payload: status.subarray(0, 1), fin: false }),
      frame({ opcode: 9, payload: Buffer.from("ping") }),
      frame({ opcode: 0, payload: status.subarray(1, 20), fin: false }),
      frame({ opcode: 0, payload: Buffer.alloc(0), fin: false }),
      frame({ opcode: 0, payload: status.subarray(20) }),
    ]);
    const outcome = run(v5, [{ from: "server", bytes }], byteByByte);
    assert.deepEqual(outcome.events, [{ stream: "error", data: STATUS }]);
  });

  it("forces the long length forms on short payloads without losing a byte", () => {
    const bytes = Buffer.concat([
      frame({ opcode: 2, payload: message(1, "a"), lengthBits: 16 }),
      frame({ opcode: 2, payload: message(1, "b"), lengthBits: 64 }),
      frame({ opcode: 2, payload: message(0, "c"), mask: MASK, lengthBits: 64 }),
    ]);
    const server = run(v5, [{ from: "server", bytes: bytes.subarray(0, -(10 + 4 + 2)) }]);
    assert.deepEqual(server.events, [{ stream: "stdout", data: "ab" }]);
    const client = run(v5, [{ from: "client", bytes: bytes.subarray(-(10 + 4 + 2)) }]);
    assert.deepEqual(client.events, [{ stream: "stdin", data: "c" }]);
  });

  it("stops reading a direction at its close frame", () => {
    const bytes = Buffer.concat([
      frame({ opcode: 2, payload: message(1, "before") }),
      frame({ opcode: 8, payload: Buffer.from([0x03, 0xe8]) }),
      Buffer.from("anything at all, not frames"),
    ]);
    assert.deepEqual(run(v5, [{ from: "server", bytes }]), {
      events: [{ stream: "stdout", data: "before" }],
      errors: [],
    });
  });

  it("ignores empty messages, v5 close signals and channels a side may not write", () => {
    const client = Buffer.concat([
      frame({ opcode: 2, payload: Buffer.from([0]), mask: MASK }),
      frame({ opcode: 2, payload: Buffer.alloc(0), mask: MASK }),
      frame({ opcode: 2, payload: message(2, "forged stderr"), mask: MASK }),
      frame({ opcode: 2, payload: message(3, "forged status"), mask: MASK }),
      frame({ opcode: 2, payload: Buffer.from([255, 0]), mask: MASK }),
      frame({ opcode: 2, payload: message(7, "no such channel"), mask: MASK }),
    ]);
    const server = frame({ opcode: 2, payload: message(0, "server typing?") });
    const outcome = run(v5, [
      { from: "client", bytes: client },
      { from: "server", bytes: server },
    ]);
    assert.deepEqual(outcome, { events: [], errors: [] });
  });
});

describe("WebSocket channel decoder on bad input", () => {
  const stdout = frame({ opcode: 2, payload: message(1, "ok") });
  const bad: [string, Step, RegExp][] = [
    ["RSV bits", { from: "server", bytes: frame({ opcode: 2, payload: message(1, "x"), rsv: 4 }) }, /RSV/],
    [
      "a reserved opcode",
      { from: "server", bytes: frame({ opcode: 3, payload: Buffer.alloc(0) }) },
      /opcode 3/,
    ],
    [
      "a reserved control opcode",
      { from: "server", bytes: frame({ opcode: 0xb, payload: Buffer.alloc(0) }) },
      /opcode 11/,
    ],
    [
      "an unmasked client frame",
      { from: "client", bytes: frame({ opcode: 2, payload: message(0, "x") }) },
      /not masked/,
    ],
    [
      "a masked server frame",
      { from: "server", bytes: frame({ opcode: 2, payload: message(1, "x"), mask: MASK }) },
      /masked/,
    ],
    [
      "a fragmented ping",
      { from: "server", bytes: frame({ opcode: 9, payload: Buffer.alloc(0), fin: false }) },
      /control frame/,
    ],
    [
      "a ping over 125 bytes",
      { from: "server", bytes: frame({ opcode: 9, payload: Buffer.alloc(126), lengthBits: 16 }) },
      /control frame/,
    ],
    [
      "a continuation out of the blue",
      { from: "server", bytes: frame({ opcode: 0, payload: Buffer.from("x") }) },
      /continuation/,
    ],
    [
      "a new message inside a fragmented one",
      {
        from: "server",
        bytes: Buffer.concat([
          frame({ opcode: 2, payload: message(3, "a"), fin: false }),
          frame({ opcode: 2, payload: message(3, "b") }),
        ]),
      },
      /before the previous/,
    ],
    [
      "a 64-bit length of a terabyte",
      { from: "server", bytes: Buffer.from([0x82, 127, 0, 0, 1, 0, 0, 0, 0, 0, 1]) },
      /over the 16777216-byte limit/,
    ],
    [
      "a resize message that never ends",
      {
        from: "client",
        bytes: Buffer.concat([
          frame({ opcode: 2, payload: message(4, "{"), fin: false, mask: MASK }),
          ...Array.from({ length: 70 }, () =>
            frame({ opcode: 0, payload: Buffer.alloc(1024, " "), fin: false, mask: MASK }),
          ),
        ]),
      },
      /resize message longer than 65536 bytes/,
    ],
  ];
  for (const [name, step, pattern] of bad) {
    it(`reports ${name} once, throws nothing, and stops only that direction`, () => {
      const after: Step =
        step.from === "client"
          ? { from: "client", bytes: frame({ opcode: 2, payload: message(0, "more"), mask: MASK }) }
          : { from: "server", bytes: stdout };
      const other: Step =
        step.from === "client"
          ? { from: "server", bytes: stdout }
          : { from: "client", bytes: frame({ opcode: 2, payload: message(0, "in"), mask: MASK }) };
      for (const cut of [undefined, byteByByte]) {
        const outcome = run(v5, [step, after, other], cut);
        assert.equal(outcome.errors.length, 1, outcome.errors.join("; "));
        assert.match(outcome.errors[0]!, pattern);
        assert.match(outcome.errors[0]!, step.from === "client" ? /from client/ : /from cluster/);
        assert.deepEqual(
          outcome.events.map((e) => e.stream),
          [step.from === "client" ? "stdout" : "stdin"],
          "the other direction goes on",
        );
      }
    });
  }

  it("obeys a smaller frame limit without holding the frame", () => {
    const make = (callbacks: DecoderCallbacks) =>
      webSocketChannelDecoder(V5, callbacks, { maxFrameBytes: 1024 });
    const outcome = run(make, [
      { from: "server", bytes: frame({ opcode: 2, payload: message(1, Buffer.alloc(2000)) }) },
    ]);
    assert.equal(outcome.errors.length, 1);
    assert.deepEqual(outcome.events, []);
  });

  it("reports a compressed session (permessage-deflate) once per direction", async () => {
    const capture = await captureWebSocket({
      protocol: V5,
      deflate: true,
      client: (ws) => ws.send(message(0, Buffer.alloc(4096, "a")), () => ws.close()),
      server: (ws) => ws.send(message(1, Buffer.alloc(4096, "b"))),
    });
    const outcome = run(withHead, [
      { from: "client", bytes: capture.client },
      { from: "server", bytes: capture.server },
    ]);
    assert.equal(outcome.errors.length, 2, outcome.errors.join("; "));
    assert.ok(outcome.errors.every((e) => /RSV/.test(e)));
  });

  it("reports an answer that is not 101, and a subprotocol without channels", () => {
    const refused = run(withHead, [
      { from: "server", bytes: Buffer.from("HTTP/1.1 403 Forbidden\r\n\r\n{}") },
    ]);
    assert.deepEqual(refused.events, []);
    assert.match(refused.errors.join(), /HTTP 403, not 101/);
    const portForward = run(
      (callbacks) => webSocketChannelDecoder("SPDY/3.1+portforward.k8s.io", callbacks),
      [{ from: "server", bytes: stdout }],
    );
    assert.equal(portForward.errors.length, 1);
    assert.deepEqual(portForward.events, []);
  });

  it("waits on a frame cut short, and reports nothing when the connection ends there", () => {
    const cut = stdout.subarray(0, 3);
    assert.deepEqual(run(v5, [{ from: "server", bytes: cut }]), { events: [], errors: [] });
    assert.deepEqual(run(v5, [{ from: "server", bytes: stdout.subarray(0, 1) }]), { events: [], errors: [] });
  });

  it("never throws into the relay, even when the recorder does", () => {
    const errors: string[] = [];
    const decoder = webSocketChannelDecoder(V5, {
      onEvent: () => {
        throw new Error("recorder bug");
      },
      onError: (message) => errors.push(message),
    });
    decoder.fromServer(stdout);
    decoder.fromServer(stdout);
    assert.deepEqual(errors, ["websocket from cluster: recorder bug"]);
  });
});
