import assert from "node:assert/strict";
import type { ChannelDecoder, DecoderCallbacks, SessionEvent } from "../../../src/recording/session-event.ts";

/** One step of a session as the gateway sees it: bytes from one side. */
export interface Step {
  from: "client" | "server";
  bytes: Buffer;
}

export interface Outcome {
  /** Events with neighbouring pieces of one byte stream joined: piece boundaries mean nothing. */
  events: { stream: string; data: string }[];
  errors: string[];
}

/**
 * Feeds `steps` to a fresh decoder, each step's bytes cut by `cut`, and collects what it says.
 * Every piece is a fresh copy, checked unchanged after the call (the relay's bytes must not
 * be touched) and then overwritten, so an event that kept a view of its input shows it.
 */
export function run(
  make: (callbacks: DecoderCallbacks) => ChannelDecoder,
  steps: Step[],
  cut: (bytes: Buffer) => Buffer[] = (bytes) => [bytes],
): Outcome {
  const events: SessionEvent[] = [];
  const errors: string[] = [];
  const decoder = make({
    // Event data is valid only during the call: kept, it is copied.
    onEvent: (event) => events.push({ ...event, data: Buffer.from(event.data) }),
    onError: (message) => errors.push(message),
  });
  for (const step of steps) {
    for (const original of cut(step.bytes)) {
      const piece = Buffer.from(original);
      if (step.from === "client") decoder.fromClient(piece);
      else decoder.fromServer(piece);
      assert.ok(piece.equals(original), "the decoder changed the bytes it was given");
      piece.fill(0xee);
    }
  }
  decoder.end();
  return { events: joined(events), errors };
}

function joined(events: SessionEvent[]): Outcome["events"] {
  const out: Outcome["events"] = [];
  for (const { stream, data } of events) {
    const last = out.at(-1);
    const bytesStream = stream === "stdin" || stream === "stdout" || stream === "stderr";
    if (last && bytesStream && last.stream === stream) last.data += data.toString("latin1");
    else out.push({ stream, data: data.toString("latin1") });
  }
  return out;
}

export const whole = (bytes: Buffer): Buffer[] => [bytes];

export function byteByByte(bytes: Buffer): Buffer[] {
  return Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
}

/** Cuts at the given offsets (any order, any repeats, out of range ignored). */
export function cutAt(offsets: number[]): (bytes: Buffer) => Buffer[] {
  return (bytes) => {
    const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
    const pieces: Buffer[] = [];
    let from = 0;
    for (const at of [...points, bytes.length]) {
      pieces.push(bytes.subarray(from, at));
      from = at;
    }
    return pieces;
  };
}
