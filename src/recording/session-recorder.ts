import type { RecordingMode } from "../config/recording-schema.ts";
import { castHeader } from "../shared/asciicast.ts";
import type { Clock } from "../shared/clock.ts";
import { releaseArenas } from "./arena-pool.ts";
import { encodeRecord, RECORD_OVERHEAD, type RecordCode, RecordWriter } from "./recorded-events.ts";
import type { RecordingMeta, RecordingStore } from "./recording-store.ts";
import type { SessionEvent } from "./session-event.ts";
import { TypedLines } from "./typed-lines.ts";

export interface RecorderOptions {
  /** The recording's creation (RecordingStore.start); writes wait for it. None: it exists. */
  started?: Promise<void>;
  store: RecordingStore;
  clock: Clock;
  /** The recording stops growing here, in recorded bytes (and says so). */
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
const BATCH_BYTES = 1024 * 1024;
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
 * One session's recording, fed the decoded channel events as they pass: stdout, stderr and
 * stdin (whose lines are also read as typed lines) are kept as the bytes they were, resizes
 * as sizes, all timed from the session's start (recorded-events.ts; they become asciicast's
 * `o`, `i` and `r` events when read); the error channel's Status becomes how the session
 * ended. Writes go out in batches, one in flight at a time, so recording adds no round trip
 * to the session itself.
 */
export class SessionRecorder {
  readonly #options: RecorderOptions;
  readonly #meta: RecordingMeta;
  readonly #mode: RecordingMode;
  readonly #typed: TypedLines;
  #typedSaved = 0;
  #size: { width: number; height: number } | undefined;
  #headerQueued = false;
  /** Records not yet written. */
  readonly #pending = new RecordWriter();
  /** The header record, once queued and until written: it goes before every other record. */
  #header: Buffer | undefined;
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
        this.#add("o", event.data);
        break;
      case "stderr":
        this.#add("e", event.data);
        break;
      case "stdin": {
        // Past the cap no line is kept any more: the rest of a long paste or piped file is
        // not read for lines, a byte at a time, for nothing.
        const before = this.#typed.count;
        if (before < this.#options.maxTypedLines) this.#typed.push(event.data);
        if (this.#options.onTypedLine && this.#typed.count > before) {
          for (const line of this.#typed.since(before)) this.#options.onTypedLine(line);
        }
        this.#add("i", event.data);
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
    this.#add("m", Buffer.from(`kube-broker: the rest of this session could not be decoded (${message})`));
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
    await this.#writing;
    await this.#flush();
  }

  #resize(data: Buffer): void {
    try {
      const { Width, Height } = JSON.parse(data.toString("utf8")) as { Width?: number; Height?: number };
      if (!Number.isInteger(Width) || !Number.isInteger(Height)) return;
      // The first size goes in the header; every later one is an event.
      if (!this.#size && !this.#headerQueued) this.#size = { width: Width!, height: Height! };
      else this.#add("r", Buffer.from(`${Width}x${Height}`));
    } catch {
      // Not a size: nothing to record.
    }
  }

  #add(code: RecordCode, data: Buffer): void {
    if (data.length === 0) return;
    this.#queue(code, data);
    // While a write is out, the next one is scheduled when it is back (#flushSoon's timer).
    if (!this.#writing) this.#flushSoon(this.#nextFlushMs());
  }

  /** A full batch goes at once; less waits for the interval. */
  #nextFlushMs(): number {
    return this.#pendingBytes() >= BATCH_BYTES ? 0 : this.#options.flushMs;
  }

  #queue(code: RecordCode, data: Buffer): void {
    if (this.#meta.truncated) return;
    const seconds = (this.#options.clock.now() - this.#meta.startedAt) / 1000;
    const bytes = RECORD_OVERHEAD + data.length;
    const reserved = this.#headerQueued ? 0 : HEADER_RESERVE;
    const room = this.#options.maxBytes - this.#meta.bytes - this.#pendingBytes() - reserved - NOTE_RESERVE;
    if (bytes > room) {
      // What fits of this event goes in; then the note, and nothing after it.
      const fits = Math.max(0, room - RECORD_OVERHEAD);
      if (fits > 0) this.#push(code, seconds, data.subarray(0, fits));
      this.#push(
        "m",
        seconds,
        Buffer.from(`kube-broker: recording truncated at ${this.#options.maxBytes} bytes`),
      );
      this.#meta.truncated = true;
      return;
    }
    if (this.#pendingBytes() + bytes > MAX_PENDING_BYTES) {
      this.#fail(new Error("Redis is not keeping up"));
      return;
    }
    this.#push(code, seconds, data);
    if (this.#pendingBytes() > HOLD_BYTES && this.#options.flow) {
      // Again on every event past the mark: a pipe may resume a socket of its own accord.
      this.#held = true;
      this.#options.flow.pause();
    }
  }

  #push(code: RecordCode, seconds: number, data: Buffer): void {
    this.#pending.add(code, seconds, data);
  }

  #pendingBytes(): number {
    return this.#pending.bytes + (this.#header?.length ?? 0);
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
    const header = Buffer.from(
      castHeader({
        ...(this.#size ?? DEFAULT_SIZE),
        timestamp: Math.floor(this.#meta.startedAt / 1000),
        command: this.#meta.command.join(" ") || `attach ${this.#meta.pod}`,
        title: `${this.#meta.user} ${this.#meta.subresource} ${this.#meta.namespace}/${this.#meta.pod} on ${this.#meta.cluster}`,
      }),
    );
    this.#header = encodeRecord("h", 0, header);
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
        if (this.#pendingBytes() < RELEASE_BYTES) this.#release();
        // What came in during the write goes next, without waiting for a chunk to ask.
        if (this.#pendingBytes() > 0 && !this.#timer && this.#meta.state !== "ended") {
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
      this.#pending.clear();
      this.#header = undefined;
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
    const bytes = this.#pendingBytes();
    const events = [...(this.#header ? [this.#header] : []), ...this.#pending.take()];
    this.#header = undefined;
    const typed = this.#typed.since(this.#typedSaved);
    const meta = { ...this.#meta, bytes: this.#meta.bytes + bytes };
    try {
      await this.#options.store.append(meta, events, typed);
      // Written: the arenas are free for the next batch. (After a failure they are left to
      // the garbage collector: part of a failed write may still be reading them.)
      releaseArenas(events);
      this.#meta.bytes = meta.bytes;
      this.#typedSaved += typed.length;
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

/** The error channel's Status: "Success", or its message (a non-zero exit, a failure). */
function endingOf(data: Buffer): string {
  try {
    const status = JSON.parse(data.toString("utf8")) as { status?: string; message?: string };
    return status.status === "Success" ? "Success" : (status.message ?? status.status ?? "Failure");
  } catch {
    return data.toString("utf8").slice(0, 300);
  }
}
