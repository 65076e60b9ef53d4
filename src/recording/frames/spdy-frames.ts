/** What a SPDY frame reader tells its owner. */
export interface SpdyFrameHandler {
  /** A whole control frame; `payload` is valid only during the call. */
  control(type: number, flags: number, payload: Buffer): void;
  /** A piece of a DATA frame's payload, a view of the chunk it came in. */
  data(streamId: number, piece: Buffer): void;
  /** A DATA frame has ended (`flags` carries FIN). */
  dataEnd(streamId: number, flags: number): void;
}

export const FLAG_FIN = 0x01;
const HEAD = 8;
/** Control frames of an exec session are small; a header block is a few hundred bytes. */
const CONTROL_LIMIT = 256 * 1024;

/**
 * Reads SPDY/3.1 frames (draft-mbelshe-httpbis-spdy-00 §2.2) from one direction, from any
 * chunk boundaries. DATA payload is passed through as views of the chunks, never gathered
 * (its 24-bit length bounds a frame to 16 MiB anyway); a control frame is gathered whole,
 * up to a limit. Another SPDY version throws: it is not what kubectl speaks.
 */
export class SpdyFrameReader {
  readonly #handler: SpdyFrameHandler;
  readonly #head = Buffer.alloc(HEAD);
  #headHave = 0;
  /** Payload bytes of the current frame still to come; -1 while reading a head. */
  #remaining = -1;
  #control = false;
  #type = 0;
  #streamId = 0;
  #flags = 0;
  #gathered: Buffer | undefined;
  #gatheredHave = 0;

  constructor(handler: SpdyFrameHandler) {
    this.#handler = handler;
  }

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#remaining < 0) {
        const take = Math.min(HEAD - this.#headHave, chunk.length - at);
        chunk.copy(this.#head, this.#headHave, at, at + take);
        this.#headHave += take;
        at += take;
        if (this.#headHave === HEAD) this.#frameStart();
        continue;
      }
      const take = Math.min(this.#remaining, chunk.length - at);
      const piece = chunk.subarray(at, at + take);
      at += take;
      this.#remaining -= take;
      if (!this.#control) this.#handler.data(this.#streamId, piece);
      else if (this.#gathered) {
        piece.copy(this.#gathered, this.#gatheredHave);
        this.#gatheredHave += take;
      } else if (this.#remaining === 0) {
        // The whole control frame is in this chunk: read it where it lies.
        this.#gathered = piece;
      } else {
        this.#gathered = Buffer.alloc(piece.length + this.#remaining);
        piece.copy(this.#gathered);
        this.#gatheredHave = take;
      }
      if (this.#remaining === 0) this.#frameEnd();
    }
  }

  #frameStart(): void {
    const head = this.#head;
    this.#headHave = 0;
    this.#control = Boolean(head[0]! & 0x80);
    this.#flags = head[4]!;
    this.#remaining = head.readUInt32BE(4) & 0xffffff;
    if (this.#control) {
      const version = head.readUInt16BE(0) & 0x7fff;
      if (version !== 3) throw new Error(`SPDY version ${version}, not 3`);
      if (this.#remaining > CONTROL_LIMIT) {
        throw new Error(`control frame of ${this.#remaining} bytes is over the ${CONTROL_LIMIT}-byte limit`);
      }
      this.#type = head.readUInt16BE(2);
    } else {
      this.#streamId = head.readUInt32BE(0) & 0x7fffffff;
    }
    this.#gathered = undefined;
    if (this.#remaining === 0) this.#frameEnd();
  }

  #frameEnd(): void {
    this.#remaining = -1;
    if (!this.#control) {
      this.#handler.dataEnd(this.#streamId, this.#flags);
      return;
    }
    const payload = this.#gathered ?? Buffer.alloc(0);
    this.#gathered = undefined;
    this.#gatheredHave = 0;
    this.#handler.control(this.#type, this.#flags, payload);
  }
}
