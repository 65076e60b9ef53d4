import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import fc from "fast-check";
import { spdyChannelDecoder } from "../../../src/recording/frames/spdy-streams.ts";
import { byteByByte, cutAt, run, type Step } from "./decoder-harness.ts";
import {
  controlFrame,
  dataFrame,
  FIN,
  FrameType,
  HeaderDeflater,
  reply,
  SWITCHED,
  synStream,
  words,
} from "./spdy-bytes.ts";

const BIG = Buffer.alloc(70_000, "spdy data ");
const STATUS = JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success" });

/**
 * An exec session laid out as client-go and the kubelet write it: the client opens error,
 * stdin, stdout and resize (a TTY) as streams 1, 3, 5, 7; the kubelet replies to each; then
 * data, pings and window updates both ways, the Status on the error stream, and FINs.
 */
async function session(): Promise<Step[]> {
  const client = new HeaderDeflater();
  const server = new HeaderDeflater();
  const steps: Step[] = [
    {
      from: "client",
      bytes: Buffer.concat([
        await synStream(client, 1, "error"),
        await synStream(client, 3, "stdin"),
        await synStream(client, 5, "stdout"),
        await synStream(client, 7, "resize"),
      ]),
    },
    {
      from: "server",
      bytes: Buffer.concat([
        Buffer.from(SWITCHED),
        controlFrame(FrameType.SETTINGS, 0, words(1, 0x00000007, 1000)),
        await reply(server, 1),
        await reply(server, 3),
        await reply(server, 5, FrameType.HEADERS),
        await reply(server, 5),
        await reply(server, 7),
      ]),
    },
    {
      from: "client",
      bytes: Buffer.concat([
        dataFrame(1, FIN, Buffer.alloc(0)), // the client never writes the error stream
        dataFrame(7, 0, Buffer.from('{"Width":100,"Height":30}\n')),
        dataFrame(3, 0, Buffer.from("ls\r")),
        controlFrame(FrameType.PING, 0, words(1)),
        dataFrame(5, 0, Buffer.from("forged output")), // a client may not write stdout
        dataFrame(7, 0, Buffer.from('{"Width":101,"Height":31}\n{"Width"')),
        controlFrame(FrameType.WINDOW_UPDATE, 0, words(5, 65536)),
        dataFrame(7, 0, Buffer.from(':102,"Height":32}\n')),
      ]),
    },
    {
      from: "server",
      bytes: Buffer.concat([
        dataFrame(3, 0, Buffer.from("echoed stdin?")), // nor the server stdin
        controlFrame(FrameType.PING, 0, words(1)),
        dataFrame(5, 0, Buffer.from("bin  etc\r\n")),
        dataFrame(5, 0, BIG),
        controlFrame(FrameType.WINDOW_UPDATE, 0, words(3, 1024)),
        dataFrame(1, 0, Buffer.from(STATUS.slice(0, 10))),
        dataFrame(1, 0, Buffer.from(STATUS.slice(10))),
        dataFrame(1, FIN, Buffer.alloc(0)),
        dataFrame(5, FIN, Buffer.alloc(0)),
        controlFrame(FrameType.GOAWAY, 0, words(0, 0)),
      ]),
    },
    { from: "client", bytes: controlFrame(FrameType.RST_STREAM, 0, words(3, 5)) },
  ];
  client.close();
  server.close();
  return steps;
}

const size = (w: number, h: number) => ({ stream: "resize", data: `{"Width":${w},"Height":${h}}` });
const EXPECTED = [
  size(100, 30),
  { stream: "stdin", data: "ls\r" },
  size(101, 31),
  size(102, 32),
  { stream: "stdout", data: `bin  etc\r\n${BIG.toString("latin1")}` },
  { stream: "error", data: STATUS },
];

describe("SPDY/3.1 channel decoder", () => {
  let steps: Step[];
  before(async () => {
    steps = await session();
  });

  it("reads an exec session: streams named by compressed headers, data, control frames", () => {
    assert.deepEqual(run(spdyChannelDecoder, steps), { events: EXPECTED, errors: [] });
  });

  it("says the same fed byte by byte or cut anywhere", () => {
    assert.deepEqual(run(spdyChannelDecoder, steps, byteByByte), { events: EXPECTED, errors: [] });
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 40 }), (offsets) => {
        assert.deepEqual(run(spdyChannelDecoder, steps, cutAt(offsets)), { events: EXPECTED, errors: [] });
      }),
      { numRuns: 150 },
    );
  });

  it("hands over an error Status whose stream never ended when the connection does", async () => {
    const client = new HeaderDeflater();
    const outcome = run(spdyChannelDecoder, [
      { from: "client", bytes: await synStream(client, 1, "error") },
      { from: "server", bytes: Buffer.concat([Buffer.from(SWITCHED), dataFrame(1, 0, Buffer.from(STATUS))]) },
    ]);
    client.close();
    assert.deepEqual(outcome, { events: [{ stream: "error", data: STATUS }], errors: [] });
  });

  it("ignores streams that are not exec channels (port-forward's data) and unknown control frames", async () => {
    const client = new HeaderDeflater();
    const outcome = run(spdyChannelDecoder, [
      {
        from: "client",
        bytes: Buffer.concat([
          await synStream(client, 1, "data"),
          controlFrame(0x55, 0, Buffer.from("future")),
          await synStream(client, 3, "stdin"),
          dataFrame(1, 0, Buffer.from("tcp bytes")),
          dataFrame(3, 0, Buffer.from("typed")),
        ]),
      },
    ]);
    client.close();
    assert.deepEqual(outcome, { events: [{ stream: "stdin", data: "typed" }], errors: [] });
  });
});

describe("SPDY/3.1 channel decoder on bad input", () => {
  const head = { from: "server", bytes: Buffer.from(SWITCHED) } as const;

  async function bad(name: string, pattern: RegExp, client: (deflater: HeaderDeflater) => Promise<Buffer>) {
    const deflater = new HeaderDeflater();
    const bytes = await client(deflater);
    deflater.close();
    for (const cut of [undefined, byteByByte]) {
      const outcome = run(
        spdyChannelDecoder,
        [
          { from: "client", bytes },
          { from: "client", bytes: dataFrame(3, 0, Buffer.from("after the error")) },
          head,
          { from: "server", bytes: dataFrame(1, FIN, Buffer.from("still read")) },
        ],
        cut,
      );
      assert.equal(outcome.errors.length, 1, `${name}: ${outcome.errors.join("; ")}`);
      assert.match(outcome.errors[0]!, pattern, name);
      assert.match(outcome.errors[0]!, /spdy from client/, name);
      assert.ok(!outcome.events.some((e) => e.data === "after the error"), name);
    }
  }

  it("reports each kind once, throws nothing, and leaves the other direction alone", async () => {
    const errorStream = (d: HeaderDeflater) => synStream(d, 1, "error");
    const stdin = (d: HeaderDeflater) => synStream(d, 3, "stdin");
    await bad("another SPDY version", /SPDY version 2, not 3/, async () =>
      Buffer.concat([Buffer.from([0x80, 0x02, 0x00, 0x01, 0, 0, 0, 0])]),
    );
    await bad("a corrupt first header block", /no zlib header/, async () =>
      controlFrame(FrameType.SYN_STREAM, 0, Buffer.concat([words(3, 0), Buffer.from([0, 0, 1, 2, 3, 4])])),
    );
    await bad("a corrupt later header block", /does not decompress/, async (d) => {
      const first = await errorStream(d);
      const later = controlFrame(
        FrameType.SYN_STREAM,
        0,
        Buffer.concat([words(3, 0), Buffer.from([0, 0]), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff])]),
      );
      return Buffer.concat([first, later]);
    });
    await bad("a SYN_STREAM cut short", /SYN_STREAM frame of 6 bytes is too short/, async () =>
      controlFrame(FrameType.SYN_STREAM, 0, Buffer.alloc(6)),
    );
    await bad("a truncated header block", /header block is truncated/, async (d) =>
      controlFrame(
        FrameType.SYN_STREAM,
        0,
        Buffer.concat([
          words(3, 0),
          Buffer.from([0, 0]),
          await d.raw(Buffer.from([0, 0, 0, 3, 0, 0, 0, 9, 0x61])),
        ]),
      ),
    );
    await bad("a header block that inflates past 64 KiB", /does not decompress/, async (d) =>
      controlFrame(
        FrameType.SYN_STREAM,
        0,
        Buffer.concat([words(3, 0), Buffer.from([0, 0]), await d.raw(Buffer.alloc(100_000))]),
      ),
    );
    await bad("a control frame over the limit", /over the 262144-byte limit/, async () =>
      Buffer.from([0x80, 0x03, 0x00, 0x04, 0x00, 0x40, 0x00, 0x01]),
    );
    await bad("too many open streams", /more than 64 open streams/, async (d) => {
      const frames = [await stdin(d)];
      for (let id = 5; id < 5 + 2 * 64; id += 2) frames.push(await synStream(d, id, "stdout"));
      return Buffer.concat(frames);
    });
    await bad("too many header blocks", /more than 256 header blocks/, async (d) => {
      const frames = [await errorStream(d)];
      for (let i = 0; i < 256; i++) frames.push(await reply(d, 1, FrameType.HEADERS));
      return Buffer.concat(frames);
    });
  });

  it("reports an answer that is not 101", () => {
    const outcome = run(spdyChannelDecoder, [
      { from: "server", bytes: Buffer.from("HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\n\r\n{}") },
    ]);
    assert.deepEqual(outcome.events, []);
    assert.deepEqual(outcome.errors, ["spdy from cluster: the cluster answered HTTP 400, not 101"]);
  });

  it("reports a response head that never ends", () => {
    const outcome = run(spdyChannelDecoder, [
      { from: "server", bytes: Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nX: ${"y".repeat(70_000)}`) },
    ]);
    assert.match(outcome.errors.join(), /response head longer than 65536 bytes/);
  });

  it("never throws into the relay, even when the recorder does", async () => {
    const deflater = new HeaderDeflater();
    const syn = await synStream(deflater, 3, "stdin");
    deflater.close();
    const errors: string[] = [];
    const decoder = spdyChannelDecoder({
      onEvent: () => {
        throw new Error("recorder bug");
      },
      onError: (message) => errors.push(message),
    });
    decoder.fromClient(
      Buffer.concat([syn, dataFrame(3, 0, Buffer.from("x")), dataFrame(3, 0, Buffer.from("y"))]),
    );
    decoder.end();
    assert.deepEqual(errors, ["spdy from client: recorder bug"]);
  });
});
