import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { renderCast } from "../../../src/recording/recorded-events.ts";
import type {
  RecordingMeta,
  RecordingQuery,
  RecordingStore,
} from "../../../src/recording/recording-store.ts";
import { RECORDING_LOST, SessionRecorder } from "../../../src/recording/session-recorder.ts";
import { parseCast } from "../../../src/shared/asciicast.ts";
import { ManualClock } from "../../support/fakes/manual-clock.ts";

/** The store as the recorder sees it: what was written, and a switch that makes writes fail. */
class FakeStore implements RecordingStore {
  batches: Buffer[] = [];
  /** Bytes of recorded events appended, as the recorder counts them for the cap. */
  recordedBytes = 0;
  typedLines: string[] = [];
  meta: RecordingMeta | undefined;
  failing = false;
  async start(meta: RecordingMeta) {
    this.meta = meta;
  }
  /** What was written, as asciicast. */
  get written(): string {
    return renderCast(this.batches);
  }
  async append(meta: RecordingMeta, events: Buffer[], typed: string[]) {
    if (this.failing) throw new Error("redis is away");
    this.batches.push(...events.map((piece) => Buffer.from(piece)));
    this.recordedBytes += events.reduce((sum, piece) => sum + piece.length, 0);
    this.typedLines.push(...typed);
    this.meta = structuredClone(meta);
  }
  async get() {
    return this.meta;
  }
  async cast() {
    return this.written;
  }
  async typed() {
    return this.typedLines;
  }
  async list(_query: RecordingQuery) {
    return this.meta ? [this.meta] : [];
  }
}

const meta = (mode: RecordingMeta["mode"], startedAt: number): RecordingMeta => ({
  id: "r1",
  user: "dev@example.com",
  grant: "g1",
  role: "edit",
  cluster: "test",
  namespace: "team-a",
  pod: "web-1",
  command: ["sh"],
  subresource: "exec",
  tty: true,
  protocol: "websocket",
  mode,
  startedAt,
  state: "recording",
  bytes: 0,
  truncated: false,
  lost: false,
});

describe("the session recorder", () => {
  let clock: ManualClock;
  let store: FakeStore;
  let cut: string[];
  let lost: unknown[];
  const recorder = (mode: RecordingMeta["mode"], maxBytes = 1 << 20) =>
    new SessionRecorder(meta(mode, clock.now()), {
      store,
      clock,
      maxBytes,
      maxTypedLines: 100,
      flushMs: 200,
      onRequiredFailure: (reason) => cut.push(reason),
      onLost: (err) => lost.push(err),
    });
  const out = (text: string) => ({ stream: "stdout" as const, data: Buffer.from(text) });
  const typed = (text: string) => ({ stream: "stdin" as const, data: Buffer.from(text) });

  beforeEach(() => {
    clock = new ManualClock();
    store = new FakeStore();
    cut = [];
    lost = [];
  });

  it("writes asciicast v2: the first size in the header, then timed o, i and r events", async () => {
    const r = recorder("best-effort");
    r.event({ stream: "resize", data: Buffer.from('{"Width":100,"Height":30}') });
    r.event(out("/ # "));
    clock.advance(1500);
    r.event(typed("ls\r"));
    r.event(out("ls\r\nbin  etc\r\n"));
    clock.advance(250);
    r.event({ stream: "resize", data: Buffer.from('{"Width":120,"Height":40}') });
    r.event({ stream: "error", data: Buffer.from('{"metadata":{},"status":"Success"}') });
    await r.end();
    const cast = parseCast(store.written);
    assert.deepEqual(
      { width: cast.header.width, height: cast.header.height, command: cast.header.command },
      { width: 100, height: 30, command: "sh" },
    );
    assert.deepEqual(cast.events, [
      [0, "o", "/ # "],
      [1.5, "i", "ls\r"],
      [1.5, "o", "ls\r\nbin  etc\r\n"],
      [1.75, "r", "120x40"],
    ]);
    assert.deepEqual(store.typedLines, ["ls"]);
    assert.equal(store.meta?.state, "ended");
    assert.equal(store.meta?.ending, "Success");
    assert.equal(store.meta?.bytes, store.recordedBytes);
  });

  it("joins a UTF-8 character split across two chunks", async () => {
    const r = recorder("best-effort");
    const euro = Buffer.from("€ ok");
    r.event({ stream: "stdout", data: euro.subarray(0, 2) });
    r.event({ stream: "stdout", data: euro.subarray(2) });
    await r.end();
    assert.equal(
      parseCast(store.written)
        .events.map((e) => e[2])
        .join(""),
      "€ ok",
    );
  });

  it("stops at the size cap, says so, and the session's events after it are not kept", async () => {
    const r = recorder("best-effort", 400);
    for (let i = 0; i < 50; i++) r.event(out(`line ${i} of a long listing\r\n`));
    await r.end();
    assert.ok(store.recordedBytes <= 400, `${store.recordedBytes} bytes recorded`);
    assert.equal(store.meta?.truncated, true);
    assert.match(store.written, /"m", "kube-broker: recording truncated at 400 bytes"/);
    assert.doesNotMatch(store.written, /line 49/);
  });

  it("best-effort: a failed write marks the recording incomplete and the session goes on", async () => {
    const r = recorder("best-effort");
    store.failing = true;
    r.event(out("lost\r\n"));
    await r.end();
    assert.deepEqual(cut, []);
    assert.equal(lost.length, 1);
    store.failing = false;
  });

  it("required: a failed write ends the session with the reason", async () => {
    const r = recorder("required");
    store.failing = true;
    r.event(out("not written\r\n"));
    await r.end();
    assert.deepEqual(cut, [RECORDING_LOST]);
  });

  it("holds the session while Redis is behind, and lets it go once the writes caught up; nothing is lost", async () => {
    // A store whose writes wait until the test lets them finish.
    const gates: (() => void)[] = [];
    const slow = new FakeStore();
    const append = slow.append.bind(slow);
    slow.append = (meta, cast, typed) =>
      new Promise<void>((resolve) => gates.push(() => resolve(append(meta, cast, typed))));
    const flow: string[] = [];
    const r = new SessionRecorder(meta("required", clock.now()), {
      store: slow,
      clock,
      maxBytes: 1 << 30,
      maxTypedLines: 10,
      flushMs: 1,
      onRequiredFailure: (reason) => cut.push(reason),
      onLost: (err) => lost.push(err),
      flow: { pause: () => flow.push("pause"), resume: () => flow.push("resume") },
    });
    clock.advance(1500); // past the wait for a terminal size that never comes
    const chunk = "x".repeat(64 * 1024);
    for (let i = 0; i < 100; i++) r.event(out(chunk)); // 6.4 MiB while the first write waits
    assert.ok(flow.includes("pause"), "the session is held past 4 MiB unwritten");
    assert.ok(!flow.includes("resume"));
    // Let every write through as it comes: the backlog drains and the session goes on.
    for (let waited = 0; waited < 200 && !flow.includes("resume"); waited++) {
      for (const open of gates.splice(0)) open();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(flow.at(-1), "resume");
    const ended = r.end();
    for (let waited = 0; waited < 200 && slow.meta?.state !== "ended"; waited++) {
      for (const open of gates.splice(0)) open();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await ended;
    assert.deepEqual([cut, lost], [[], []]);
    const shown = parseCast(slow.written)
      .events.map((e) => e[2])
      .join("");
    assert.equal(shown.length, 100 * chunk.length, "every event was written");
  });

  it("a burst of events is written while it lasts, not put off by each new event", async () => {
    const r = new SessionRecorder(meta("best-effort", clock.now()), {
      store,
      clock,
      maxBytes: 1 << 30,
      maxTypedLines: 10,
      flushMs: 50,
      onRequiredFailure: (reason) => cut.push(reason),
      onLost: (err) => lost.push(err),
    });
    clock.advance(1500); // past the wait for a terminal size that never comes
    const started = performance.now();
    let sent = 0;
    // Events arrive every 10 ms for 300 ms: a timer pushed back by each would never fire.
    while (performance.now() - started < 300) {
      r.event(out("y".repeat(1024)));
      sent++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(store.written.length > 0, "nothing was written during the burst");
    await r.end();
    assert.equal(parseCast(store.written).events.length, sent);
  });

  it("a wire that cannot be decoded leaves a marker and an incomplete recording", async () => {
    const r = recorder("best-effort");
    r.event(out("before\r\n"));
    r.unreadable("reserved opcode 3");
    r.event(out("after\r\n"));
    await r.end("the grant was revoked");
    const cast = parseCast(store.written);
    assert.deepEqual(
      cast.events.map((e) => e[1]),
      ["o", "m"],
    );
    assert.equal(store.meta?.lost, true);
    assert.equal(store.meta?.ending, "the grant was revoked");
  });
});
