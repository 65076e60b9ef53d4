import { type FileHandle, mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import type { AuditRecord } from "../record.ts";
import { pickRecord } from "../record-fields.ts";

/** One spooled record: its writer, that writer's sequence number, and the record. */
export interface SpoolLine {
  w: string;
  s: number;
  r: AuditRecord;
}

/** Lines in file order with their sizes; `line` is undefined for one that would not parse. */
export interface SpoolPeek {
  lines: { line: SpoolLine | undefined; bytes: number }[];
  corrupt: number;
}

export interface SpoolOptions {
  path: string;
  maxBytes: number;
}

const READ_CHUNK = 1024 * 1024;

/**
 * The buffered mode's local spool: an append-only JSON-lines file, bounded in bytes.
 *
 * Durability: each appended batch is written with one write() and made durable with one
 * fdatasync() before any of its appends resolve. An audit record is the only evidence a
 * request happened, and in buffered mode the request is forwarded as soon as append
 * resolves, so a power cut must not lose it; the batcher makes this one sync per batch,
 * not per record. A line cut short by a crash was never acknowledged (its sync never
 * returned), so opening the spool drops it and appends continue on a clean line.
 *
 * Replay reads forward from an in-memory offset; the file is emptied only when every line
 * is in Redis. After a crash the next writer replays from the start, and the append script
 * skips what already landed.
 */
export class Spool {
  readonly #options: SpoolOptions;
  #file: FileHandle | undefined;
  #size = 0;
  #records = 0;
  #replayedBytes = 0;
  #replayedRecords = 0;

  constructor(options: SpoolOptions) {
    this.#options = options;
  }

  get bytes(): number {
    return this.#size;
  }
  /** Records not replayed yet. */
  get pendingRecords(): number {
    return this.#records - this.#replayedRecords;
  }
  get isEmpty(): boolean {
    return this.#size === 0;
  }
  get fullyReplayed(): boolean {
    return this.#replayedBytes === this.#size;
  }

  async open(): Promise<void> {
    await mkdir(dirname(this.#options.path), { recursive: true, mode: 0o700 });
    const file = await open(this.#options.path, "a+", 0o600);
    this.#file = file;
    const { size } = await file.stat();
    const { lines, end } = await this.#scanCompleteLines(size);
    if (end < size) await file.truncate(end);
    this.#size = end;
    this.#records = lines;
    this.#replayedBytes = 0;
    this.#replayedRecords = 0;
  }

  /**
   * Appends as many lines as fit under maxBytes, in order, durably. Returns how many were
   * taken; the rest did not fit.
   */
  async append(lines: readonly SpoolLine[]): Promise<number> {
    const file = this.#requireOpen();
    const encoded: Buffer[] = [];
    let total = 0;
    for (const line of lines) {
      const buf = Buffer.from(`${JSON.stringify({ w: line.w, s: line.s, r: pickRecord(line.r) })}\n`);
      if (this.#size + total + buf.length > this.#options.maxBytes) break;
      encoded.push(buf);
      total += buf.length;
    }
    if (encoded.length === 0) return 0;
    try {
      await file.write(Buffer.concat(encoded, total));
      await file.datasync();
    } catch (err) {
      // Never leave half a batch behind: a later append would glue onto a partial line.
      await file.truncate(this.#size).catch(() => {});
      throw err;
    }
    this.#size += total;
    this.#records += encoded.length;
    return encoded.length;
  }

  /** The next lines to replay (at most `max`), without consuming them. */
  async peek(max: number): Promise<SpoolPeek> {
    const file = this.#requireOpen();
    let chunk = READ_CHUNK;
    for (;;) {
      const length = Math.min(chunk, this.#size - this.#replayedBytes);
      const buf = Buffer.alloc(length);
      const { bytesRead } = await file.read(buf, 0, length, this.#replayedBytes);
      const text = buf.subarray(0, bytesRead).toString("utf8");
      const lastNewline = text.lastIndexOf("\n");
      if (lastNewline < 0 && length < this.#size - this.#replayedBytes) {
        chunk *= 2;
        continue;
      }
      return parseLines(text.slice(0, lastNewline + 1), max);
    }
  }

  markReplayed(records: number, bytes: number): void {
    this.#replayedRecords += records;
    this.#replayedBytes += bytes;
  }

  /** Empties the spool; only once everything in it is in Redis. */
  async truncate(): Promise<void> {
    const file = this.#requireOpen();
    await file.truncate(0);
    await file.datasync();
    this.#size = 0;
    this.#records = 0;
    this.#replayedBytes = 0;
    this.#replayedRecords = 0;
  }

  async close(): Promise<void> {
    await this.#file?.close();
    this.#file = undefined;
  }

  #requireOpen(): FileHandle {
    if (!this.#file) throw new Error("the audit spool is not open");
    return this.#file;
  }

  async #scanCompleteLines(size: number): Promise<{ lines: number; end: number }> {
    const file = this.#requireOpen();
    const buf = Buffer.alloc(Math.min(READ_CHUNK, Math.max(size, 1)));
    let lines = 0;
    let end = 0;
    for (let position = 0; position < size; ) {
      const { bytesRead } = await file.read(buf, 0, buf.length, position);
      if (bytesRead === 0) break;
      for (let i = 0; i < bytesRead; i++) {
        if (buf[i] === 0x0a) {
          lines++;
          end = position + i + 1;
        }
      }
      position += bytesRead;
    }
    return { lines, end };
  }
}

function parseLines(text: string, max: number): SpoolPeek {
  const lines: SpoolPeek["lines"] = [];
  let corrupt = 0;
  let start = 0;
  while (lines.length < max && start < text.length) {
    const end = text.indexOf("\n", start);
    const raw = text.slice(start, end);
    start = end + 1;
    const line = parseLine(raw);
    if (!line) corrupt++;
    lines.push({ line, bytes: Buffer.byteLength(raw) + 1 });
  }
  return { lines, corrupt };
}

function parseLine(raw: string): SpoolLine | undefined {
  try {
    const value = JSON.parse(raw) as Partial<SpoolLine>;
    if (
      typeof value.w === "string" &&
      typeof value.s === "number" &&
      value.r &&
      typeof value.r === "object"
    ) {
      return value as SpoolLine;
    }
  } catch {
    // reported by the caller as corrupt
  }
  return undefined;
}
