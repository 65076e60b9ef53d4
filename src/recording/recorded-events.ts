import { TextDecoder } from "node:util";
import { castEvent } from "../shared/asciicast.ts";
import { acquireArena, LARGE_ARENA, releaseArenas, SMALL_ARENA } from "./arena-pool.ts";

/**
 * How a session is kept while it is being recorded: the bytes of each stream as they passed,
 * with their time, in a compact binary form. Turning bytes into asciicast (decoding UTF-8,
 * escaping JSON) costs far more than copying them, and most recordings are never played:
 * so the recorder only copies, and a recording becomes asciicast when it is read
 * (renderCast), which gives exactly the lines the recorder would have written.
 *
 * A record: its code (one byte), its time in seconds since the session began (float64 LE),
 * the length of its data (uint32 LE), then the data. A batch is records back to back.
 */
export type RecordCode = "h" | "o" | "e" | "i" | "r" | "m";

/** Bytes each record takes besides its data. */
export const RECORD_OVERHEAD = 13;

const CODE_BYTES: Record<RecordCode, number> = { h: 0x68, o: 0x6f, e: 0x65, i: 0x69, r: 0x72, m: 0x6d };
const CODES = new Map(Object.entries(CODE_BYTES).map(([code, byte]) => [byte, code as RecordCode]));

/** One record on its own (the header, and tests). */
export function encodeRecord(code: RecordCode, seconds: number, data: Uint8Array): Buffer {
  const record = Buffer.allocUnsafe(RECORD_OVERHEAD + data.length);
  writeRecord(record, 0, code, seconds, data);
  return record;
}

/**
 * Records, appended as they come, each copied once into an arena (arena-pool.ts): the bytes
 * relayed are never kept (they may be views of the relay's chunks), and however small the
 * pieces, there are few buffers to allocate and none to collect.
 */
export class RecordWriter {
  /** Full arenas since the last take, each cut to what was written. */
  #pieces: Buffer[] = [];
  #arena: Buffer | undefined;
  #used = 0;
  #bytes = 0;

  /** Bytes of records added and not yet taken. */
  get bytes(): number {
    return this.#bytes;
  }

  add(code: RecordCode, seconds: number, data: Uint8Array): void {
    const need = RECORD_OVERHEAD + data.length;
    if (!this.#arena || this.#arena.length - this.#used < need) {
      this.#seal();
      // A batch starts small; one that outgrows its first arena goes on in large ones.
      const size = this.#pieces.length === 0 && need <= SMALL_ARENA ? SMALL_ARENA : LARGE_ARENA;
      this.#arena = need <= size ? acquireArena(size) : Buffer.allocUnsafeSlow(need);
    }
    writeRecord(this.#arena, this.#used, code, seconds, data);
    this.#used += need;
    this.#bytes += need;
  }

  /**
   * What was added since the last take, as buffers of whole records, in order. They are the
   * caller's until it gives them back with releaseArenas, once nothing reads them.
   */
  take(): Buffer[] {
    this.#seal();
    const pieces = this.#pieces;
    this.#pieces = [];
    this.#bytes = 0;
    return pieces;
  }

  /** Drops what was not taken. */
  clear(): void {
    releaseArenas(this.take());
  }

  #seal(): void {
    if (this.#arena && this.#used > 0) this.#pieces.push(this.#arena.subarray(0, this.#used));
    else if (this.#arena) releaseArenas([this.#arena]);
    this.#arena = undefined;
    this.#used = 0;
  }
}

function writeRecord(into: Buffer, at: number, code: RecordCode, seconds: number, data: Uint8Array): void {
  into[at] = CODE_BYTES[code];
  into.writeDoubleLE(seconds, at + 1);
  into.writeUInt32LE(data.length, at + 9);
  into.set(data, at + RECORD_OVERHEAD);
}

/**
 * The asciicast v2 text of a session's batches, in order: `h` is the header line as it was
 * stored, stdout and stderr become `o` events and stdin `i`, each stream decoded as UTF-8 on
 * its own so that a character split across two records is joined, not mangled. What a stream
 * still held at the end (a character cut off) is written at that stream's last time.
 */
export function renderCast(batches: readonly Buffer[]): string {
  const lines: string[] = [];
  const streams = new Map<RecordCode, { decoder: TextDecoder; seconds: number; code: "o" | "i" }>();
  for (const batch of batches) {
    for (let at = 0; at < batch.length; ) {
      if (at + RECORD_OVERHEAD > batch.length) throw new Error("a recorded batch ends inside a record");
      const code = CODES.get(batch[at]!);
      if (!code) throw new Error(`unknown record code ${batch[at]}`);
      const seconds = batch.readDoubleLE(at + 1);
      const end = at + RECORD_OVERHEAD + batch.readUInt32LE(at + 9);
      if (end > batch.length) throw new Error("a recorded batch ends inside a record");
      const data = batch.subarray(at + RECORD_OVERHEAD, end);
      at = end;
      if (code === "h") lines.push(data.toString("utf8"));
      else if (code === "r" || code === "m") lines.push(castEvent(seconds, code, data.toString("utf8")));
      else {
        let stream = streams.get(code);
        if (!stream) {
          stream = {
            decoder: new TextDecoder("utf-8", { fatal: false }),
            seconds,
            code: code === "i" ? "i" : "o",
          };
          streams.set(code, stream);
        }
        stream.seconds = seconds;
        const text = stream.decoder.decode(data, { stream: true });
        if (text !== "") lines.push(castEvent(seconds, stream.code, text));
      }
    }
  }
  for (const stream of streams.values()) {
    const rest = stream.decoder.decode();
    if (rest !== "") lines.push(castEvent(stream.seconds, stream.code, rest));
  }
  return lines.join("");
}
