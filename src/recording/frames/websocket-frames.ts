/** What a WebSocket frame reader tells its owner, message by message. */
export interface MessageHandler {
  /** A data message begins (its first frame's opcode: text or binary). */
  start(binary: boolean): void;
  /** A piece of the message's payload, unmasked: a view, valid only during the call. */
  piece(data: Buffer): void;
  /** The message's final fragment has ended. */
  end(): void;
}

/** A socket read is at most 64 KiB: the scratch buffer rarely has to grow past it. */
const SCRATCH_BYTES = 64 * 1024;
const CONTINUATION = 0x0;
const BINARY = 0x2;
const CLOSE = 0x8;

/**
 * Reads RFC 6455 frames from one direction of a connection, from any chunk boundaries, with
 * no buffering but a frame head (at most 14 bytes): payload passes through as views of the
 * chunks it came in, and masked payload (the client's) is unmasked into a scratch buffer the
 * reader reuses, never in place (the relayed bytes are not touched). Control frames are skipped, and a close frame ends reading. Anything outside the
 * protocol as kubectl and the API server speak it throws: extensions (RSV bits; kubectl
 * negotiates none), reserved opcodes, masking on the wrong side, fragmented control frames,
 * broken fragmentation, or a frame longer than `maxFrameBytes`.
 */
export class WebSocketFrameReader {
  readonly #masked: boolean;
  readonly #handler: MessageHandler;
  readonly #maxFrameBytes: number;
  readonly #head = Buffer.alloc(14);
  #headHave = 0;
  #headNeed = 2;
  /** Payload bytes of the current frame still to come; -1 while reading a head. */
  #remaining = -1;
  #opcode = 0;
  #fin = false;
  readonly #mask = Buffer.alloc(4);
  #maskAt = 0;
  #scratch = Buffer.alloc(0);
  #inMessage = false;
  #closed = false;

  constructor(options: { masked: boolean; handler: MessageHandler; maxFrameBytes: number }) {
    this.#masked = options.masked;
    this.#handler = options.handler;
    this.#maxFrameBytes = options.maxFrameBytes;
  }

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && !this.#closed) {
      if (this.#remaining < 0) {
        at = this.#readHead(chunk, at);
        continue;
      }
      const take = Math.min(this.#remaining, chunk.length - at);
      if (this.#opcode < CLOSE) this.#payload(chunk.subarray(at, at + take));
      at += take;
      this.#remaining -= take;
      if (this.#remaining === 0) this.#frameEnd();
    }
  }

  #readHead(chunk: Buffer, from: number): number {
    const take = Math.min(this.#headNeed - this.#headHave, chunk.length - from);
    chunk.copy(this.#head, this.#headHave, from, from + take);
    this.#headHave += take;
    if (this.#headHave < this.#headNeed) return from + take;
    if (this.#headNeed === 2) {
      this.#headNeed = this.#checkFirstTwo();
      if (this.#headHave < this.#headNeed) return from + take;
    }
    this.#frameStart();
    return from + take;
  }

  /** Checks the two fixed bytes and says how long the whole head is. */
  #checkFirstTwo(): number {
    const first = this.#head[0]!;
    const second = this.#head[1]!;
    if (first & 0x70) throw new Error("frame with RSV bits set, but no extension was negotiated");
    const opcode = first & 0x0f;
    if ((opcode > BINARY && opcode < CLOSE) || opcode > 0xa) throw new Error(`reserved opcode ${opcode}`);
    if (Boolean(second & 0x80) !== this.#masked) {
      throw new Error(this.#masked ? "client frame is not masked" : "server frame is masked");
    }
    const length = second & 0x7f;
    if (opcode >= CLOSE && (!(first & 0x80) || length > 125)) {
      throw new Error("control frame fragmented or longer than 125 bytes");
    }
    return 2 + (length === 126 ? 2 : length === 127 ? 8 : 0) + (this.#masked ? 4 : 0);
  }

  #frameStart(): void {
    const head = this.#head;
    this.#fin = Boolean(head[0]! & 0x80);
    this.#opcode = head[0]! & 0x0f;
    const short = head[1]! & 0x7f;
    let length = short;
    if (short === 126) length = head.readUInt16BE(2);
    else if (short === 127) length = head.readUInt32BE(2) * 2 ** 32 + head.readUInt32BE(6);
    if (length > this.#maxFrameBytes) {
      throw new Error(`frame of ${length} bytes is over the ${this.#maxFrameBytes}-byte limit`);
    }
    if (this.#masked) head.copy(this.#mask, 0, this.#headNeed - 4, this.#headNeed);
    this.#maskAt = 0;
    this.#headHave = 0;
    this.#headNeed = 2;
    this.#remaining = length;
    if (this.#opcode === CONTINUATION) {
      if (!this.#inMessage) throw new Error("continuation frame outside a message");
    } else if (this.#opcode < CLOSE) {
      if (this.#inMessage) throw new Error("new message before the previous one ended");
      this.#inMessage = true;
      this.#handler.start(this.#opcode === BINARY);
    }
    if (length === 0) this.#frameEnd();
  }

  #payload(raw: Buffer): void {
    if (!this.#masked) {
      this.#handler.piece(raw);
      return;
    }
    if (this.#scratch.length < raw.length)
      this.#scratch = Buffer.allocUnsafeSlow(Math.max(raw.length, SCRATCH_BYTES));
    const data = this.#scratch.subarray(0, raw.length);
    raw.copy(data);
    unmask(data, this.#mask, this.#maskAt);
    this.#maskAt = (this.#maskAt + data.length) & 3;
    this.#handler.piece(data);
  }

  #frameEnd(): void {
    this.#remaining = -1;
    if (this.#opcode === CLOSE) {
      this.#closed = true;
    } else if (this.#opcode < CLOSE && this.#fin) {
      this.#inMessage = false;
      this.#handler.end();
    }
  }
}

const rotated = new Uint8Array(4);
const rotatedWord = new Uint32Array(rotated.buffer);

/**
 * XORs `data` in place with the mask, starting `at` bytes into it: four bytes at a time where
 * `data` is aligned for it (a client sends most of a session's bytes, all of them masked).
 */
function unmask(data: Buffer, mask: Buffer, at: number): void {
  let i = 0;
  if (data.byteOffset % 4 === 0 && data.length >= 16) {
    for (let k = 0; k < 4; k++) rotated[k] = mask[(at + k) & 3]!;
    const word = rotatedWord[0]!;
    const words = new Uint32Array(data.buffer, data.byteOffset, data.length >>> 2);
    for (let w = 0; w < words.length; w++) words[w]! ^= word;
    i = words.length * 4;
  }
  for (; i < data.length; i++) data[i] = data[i]! ^ mask[(at + i) & 3]!;
}
