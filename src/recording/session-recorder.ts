import { TextDecoder } from "node:util";
import type { RecordingMode } from "../config/recording-schema.ts";
import { castEvent, castHeader } from "../shared/asciicast.ts";
import type { Clock } from "../shared/clock.ts";
import type { RecordingMeta, RecordingStore } from "./recording-store.ts";
import type { SessionEvent } from "./session-event.ts";
import { TypedLines } from "./typed-lines.ts";

export interface RecorderOptions {
  /** The recording's creation (RecordingStore.start); writes wait for it. None: it exists. */
  started?: Promise<void>;
  store: RecordingStore;
  clock: Clock;
  /** The cast stops growing here (and says so). */
  maxBytes: number;
  maxTypedLines: number;
  /** How often what was seen is written (one Redis round trip per interval, not per chunk). */
  flushMs: number;
  /** A required recording that can no longer be written: the session must end. */
  onRequiredFailure(reason: string): void;
  /** A best-effort write that failed (for the log and metrics). */
  onLost(err: unknown): void;
  /** Each line typed, once it is complete (Enter): the audit trail's session.command. */
  onTypedLine?(line: string): void;
  /**
   * Holds the session while too much is unwritten, and lets it go on once the writes caught
   * up: a bulk stream (a large cat, kubectl cp) slows to what Redis takes instead of losing
   * its recording (or, when required, being cut).
   */
  flow?: { pause(): void; resume(): void };
}

/** Unwritten past this, the session is held (RecorderOptions.flow)… */
const HOLD_BYTES = 4 * 1024 * 1024;
/** …until the writes are back under this. */
const RELEASE_BYTES = 1024 * 1024;
/**
 * Past this the recording fails: the session was not held (no flow control) or kept
 * sending regardless; memory is not given up to a recording without bound.
 */
const MAX_PENDING_BYTES = 64 * 1024 * 1024;
/** Unwritten events past this go to Redis at once rather than at the next interval. */
const BATCH_BYTES = 256 * 1024;
const DEFAULT_SIZE = { width: 80, height: 24 };
/** Room kept under the cap for the header, written once the terminal's size is known. */
const HEADER_RESERVE = 1024;
/**
 * A terminal session's first size comes from kubectl a moment after the session opens, often
 * after the shell's first prompt: the header (which carries it) waits this long for it.
 */
const SIZE_WAIT_MS = 1000;
/** Room kept under the cap for the note that says the recording was truncated. */
const NOTE_RESERVE = 128;
export const RECORDING_LOST = "the session recording could not be written, and this session must be recorded";

/**
 * One session's recording, fed the decoded channel events as they pass: stdout and stderr
 * become asciicast `o` events, stdin `i` (and typed lines), resizes `r`, all timed from the
 * session's start; the error channel's Status becomes how the session ended. Writes go out
 * in batches, one in flight at a time, so recording adds no round trip to the session itself.
 */
export class SessionRecorder {
  readonly #options: RecorderOptions;
  readonly #meta: RecordingMeta;
  readonly #mode: RecordingMode;
  readonly #decoders = new Map<string, TextDecoder>();
  readonly #typed: TypedLines;
  #typedSaved = 0;
  #size: { width: number; height: number } | undefined;
  #headerQueued = false;
  #pending: string[] = [];
  #pendingBytes = 0;
  #writing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** When #timer fires (performance.now()). */
  #timerDue = 0;
  #stopped = false;
  #held = false;

  constructor(meta: RecordingMeta, options: RecorderOptions) {
    this.#meta = meta;
    this.#mode = meta.mode;
    this.#options = options;
    this.#typed = new TypedLines({ maxLines: options.maxTypedLines, maxLineLength: 4096 });
  }

  get meta(): Readonly<RecordingMeta> {
    return this.#meta;
  }

  event(event: SessionEvent): void {
    if (this.#stopped) return;
    switch (event.stream) {
      case "stdout":
      case "stderr":
        this.#add("o", this.#text(event.stream, event.data));
        break;
      case "stdin": {
        // Past the cap no line is kept any more: the rest of a long paste or piped file is
        // not read for lines, a byte at a time, for nothing.
        const before = this.#typed.count;
        if (before < this.#options.maxTypedLines) this.#typed.push(event.data);
        if (this.#options.onTypedLine && this.#typed.count > before) {
          for (const line of this.#typed.since(before)) this.#options.onTypedLine(line);
        }
        this.#add("i", this.#text("stdin", event.data));
        break;
      }
      case "resize":
        this.#resize(event.data);
        break;
      case "error":
        this.#meta.ending = endingOf(event.data);
        break;
    }
  }

  /** The wire could not be read any further: the rest of the session is not in the recording. */
  unreadable(message: string): void {
    if (this.#stopped) return;
    this.#add("m", `kube-broker: the rest of this session could not be decoded (${message})`);
    this.#meta.lost = true;
    this.#stopped = true;
  }

  /** The session ended: writes what is left and marks the recording ended. */
  async end(reason?: string): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (reason) this.#meta.ending = reason;
    this.#meta.state = "ended";
    this.#meta.endedAt = this.#options.clock.now();
    for (const [stream, decoder] of this.#decoders) {
      const rest = decoder.decode();
      if (rest) this.#queue(stream === "stdin" ? "i" : "o", rest);
    }
    await this.#writing;
    await this.#flush();
  }

  #text(stream: string, data: Buffer): string {
    let decoder = this.#decoders.get(stream);
    if (!decoder) {
      // One per stream: a UTF-8 character split across two chunks is joined, not mangled.
      decoder = new TextDecoder("utf-8", { fatal: false });
      this.#decoders.set(stream, decoder);
    }
    return decoder.decode(data, { stream: true });
  }

  #resize(data: Buffer): void {
    try {
      const { Width, Height } = JSON.parse(data.toString("utf8")) as { Width?: number; Height?: number };
      if (!Number.isInteger(Width) || !Number.isInteger(Height)) return;
      // The first size goes in the header; every later one is an event.
      if (!this.#size && !this.#headerQueued) this.#size = { width: Width!, height: Height! };
      else this.#add("r", `${Width}x${Height}`);
    } catch {
      // Not a size: nothing to record.
    }
  }

  #add(code: "o" | "i" | "r" | "m", data: string): void {
    if (data === "") return;
    this.#queue(code, data);
    // While a write is out, the next one is scheduled when it is back (#flushSoon's timer).
    if (!this.#writing) this.#flushSoon(this.#nextFlushMs());
  }

  /** A full batch goes at once; less waits for the interval. */
  #nextFlushMs(): number {
    return this.#pendingBytes >= BATCH_BYTES ? 0 : this.#options.flushMs;
  }

  #queue(code: "o" | "i" | "r" | "m", data: string): void {
    if (this.#meta.truncated) return;
    const seconds = (this.#options.clock.now() - this.#meta.startedAt) / 1000;
    const line = castEvent(seconds, code, data);
    const lineBytes = Buffer.byteLength(line);
    const reserved = this.#headerQueued ? 0 : HEADER_RESERVE;
    const room = this.#options.maxBytes - this.#meta.bytes - this.#pendingBytes - reserved - NOTE_RESERVE;
    if (lineBytes > room) {
      // What fits of this event goes in; then the note, and nothing after it.
      const fitted = fittedEvent(seconds, code, data, room);
      const note = castEvent(
        seconds,
        "m",
        `kube-broker: recording truncated at ${this.#options.maxBytes} bytes`,
      );
      this.#meta.truncated = true;
      this.#pending.push(fitted, note);
      this.#pendingBytes += Buffer.byteLength(fitted) + Buffer.byteLength(note);
      return;
    }
    if (this.#pendingBytes + lineBytes > MAX_PENDING_BYTES) {
      this.#fail(new Error("Redis is not keeping up"));
      return;
    }
    this.#pending.push(line);
    this.#pendingBytes += lineBytes;
    if (this.#pendingBytes > HOLD_BYTES && this.#options.flow) {
      // Again on every event past the mark: a pipe may resume a socket of its own accord.
      this.#held = true;
      this.#options.flow.pause();
    }
  }

  #release(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#options.flow?.resume();
  }

  #waitingForSize(): boolean {
    const age = this.#options.clock.now() - this.#meta.startedAt;
    return this.#meta.tty && !this.#size && this.#meta.state !== "ended" && age < SIZE_WAIT_MS;
  }

  /** The header, first in the file, with the first size the terminal had. */
  #queueHeader(): void {
    this.#headerQueued = true;
    const header = castHeader({
      ...(this.#size ?? DEFAULT_SIZE),
      timestamp: Math.floor(this.#meta.startedAt / 1000),
      command: this.#meta.command.join(" ") || `attach ${this.#meta.pod}`,
      title: `${this.#meta.user} ${this.#meta.subresource} ${this.#meta.namespace}/${this.#meta.pod} on ${this.#meta.cluster}`,
    });
    this.#pending.unshift(header);
    this.#pendingBytes += Buffer.byteLength(header);
  }

  #flushSoon(ms: number): void {
    // A flush already due as soon stays as it is: set again on every chunk of a fast stream,
    // it would be put off and off (each chunk arrives within the timer's millisecond), and the
    // unwritten events would pile up to MAX_PENDING_BYTES and lose the recording.
    const due = performance.now() + ms;
    if (this.#timer && this.#timerDue <= due) return;
    clearTimeout(this.#timer);
    this.#timerDue = due;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#writing) return; // its end schedules the next
      this.#writing = this.#flush().finally(() => {
        this.#writing = undefined;
        if (this.#pendingBytes < RELEASE_BYTES) this.#release();
        // What came in during the write goes next, without waiting for a chunk to ask.
        if (this.#pendingBytes > 0 && !this.#timer && this.#meta.state !== "ended") {
          this.#flushSoon(this.#nextFlushMs());
        }
      });
    }, ms);
    this.#timer.unref();
  }

  async #flush(): Promise<void> {
    try {
      await this.#options.started;
    } catch {
      // Never created (best-effort, Redis away): nothing of it is kept, and nothing is held.
      this.#stopped = true;
      this.#meta.lost = true;
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#release();
      return;
    }
    const withHeader = !this.#headerQueued || this.#meta.bytes === 0;
    if (!this.#headerQueued) {
      if (this.#waitingForSize()) {
        this.#flushSoon(this.#options.flushMs);
        return;
      }
      this.#queueHeader();
    }
    const cast = this.#pending.join("");
    const typed = this.#typed.since(this.#typedSaved);
    // #pendingBytes counts each line's bytes as it is queued: the cast is not measured again.
    const written = { pending: this.#pending.length, typed: typed.length, bytes: this.#pendingBytes };
    this.#pending = [];
    this.#pendingBytes = 0;
    const meta = { ...this.#meta, bytes: this.#meta.bytes + written.bytes };
    try {
      await this.#options.store.append(meta, cast, typed);
      this.#meta.bytes = meta.bytes;
      this.#typedSaved += written.typed;
    } catch (err) {
      // The events are lost, but a later write must still start the file with its header.
      if (withHeader) this.#headerQueued = false;
      this.#fail(err);
    }
  }

  #fail(err: unknown): void {
    this.#meta.lost = true;
    // A recording that cannot be written holds nothing up.
    this.#release();
    if (this.#mode === "required") {
      this.#stopped = true;
      this.#options.onRequiredFailure(RECORDING_LOST);
    } else this.#options.onLost(err);
  }
}

/** As much of an event's data as fits in `room` bytes of cast line ("" when none does). */
function fittedEvent(seconds: number, code: "o" | "i" | "r" | "m", data: string, room: number): string {
  let length = Math.min(data.length, Math.max(0, room));
  for (;;) {
    if (length <= 0) return "";
    const line = castEvent(seconds, code, data.slice(0, length));
    const bytes = Buffer.byteLength(line);
    if (bytes <= room) return line;
    // JSON escapes and multi-byte characters make a line longer than its data: shrink by the excess.
    length = Math.min(length - 1, Math.floor((length * room) / bytes));
  }
}

/** The error channel's Status: "Success", or its message (a non-zero exit, a failure). */
function endingOf(data: Buffer): string {
  try {
    const status = JSON.parse(data.toString("utf8")) as { status?: string; message?: string };
    return status.status === "Success" ? "Success" : (status.message ?? status.status ?? "Failure");
  } catch {
    return data.toString("utf8").slice(0, 300);
  }
}
