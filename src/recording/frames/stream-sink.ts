import type { SessionEvent, SessionStream } from "../session-event.ts";

/** An error Status or a terminal size is a few hundred bytes; far more is not one. */
const MESSAGE_LIMIT = 64 * 1024;

/**
 * Turns the payload pieces of one stream into events. stdin, stdout and stderr are byte
 * streams, passed on piece by piece so that nothing waits or piles up; the error stream is
 * one message, held until its end; resize carries one JSON size per line (client-go's
 * json.Encoder) or per WebSocket message, held until the line or message ends.
 */
export class StreamSink {
  readonly stream: SessionStream;
  readonly #onEvent: (event: SessionEvent) => void;
  readonly #whole: boolean;
  #held: Buffer[] = [];
  #heldBytes = 0;

  constructor(stream: SessionStream, onEvent: (event: SessionEvent) => void) {
    this.stream = stream;
    this.#onEvent = onEvent;
    this.#whole = stream === "error" || stream === "resize";
  }

  /** `piece` may be a view of bytes that change after the call: what is held is copied. */
  write(piece: Buffer): void {
    if (piece.length === 0) return;
    if (!this.#whole) {
      this.#onEvent({ stream: this.stream, data: piece });
      return;
    }
    let rest = piece;
    if (this.stream === "resize") {
      for (let nl = rest.indexOf(0x0a); nl >= 0; nl = rest.indexOf(0x0a)) {
        this.#hold(rest.subarray(0, nl));
        this.end();
        rest = rest.subarray(nl + 1);
      }
    }
    this.#hold(rest);
  }

  /** The message ends: its bytes, if any but blanks, become one event. */
  end(): void {
    const data = trim(Buffer.concat(this.#held, this.#heldBytes));
    this.#held = [];
    this.#heldBytes = 0;
    if (data.length > 0) this.#onEvent({ stream: this.stream, data });
  }

  /** Held pieces are copied: a view may change, and would keep the whole chunk it came from alive. */
  #hold(piece: Buffer): void {
    if (piece.length === 0) return;
    this.#heldBytes += piece.length;
    if (this.#heldBytes > MESSAGE_LIMIT) {
      throw new Error(`${this.stream} message longer than ${MESSAGE_LIMIT} bytes`);
    }
    this.#held.push(Buffer.from(piece));
  }
}

function trim(data: Buffer): Buffer {
  let start = 0;
  let end = data.length;
  while (start < end && isBlank(data[start]!)) start++;
  while (end > start && isBlank(data[end - 1]!)) end--;
  return data.subarray(start, end);
}

function isBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0a;
}
