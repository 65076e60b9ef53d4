/**
 * SPDY/3.1 framing, as kubectl's port-forward speaks it (moby/spdystream): 8-byte frame
 * headers, data frames on a stream, and the control frames a port-forward needs. Header blocks
 * are zlib-compressed with the SPDY dictionary, one compression context per direction for the
 * whole connection, each block ending in a sync flush — so they must be (de)compressed in order.
 */
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from "node:zlib";
import { SPDY3_DICTIONARY } from "./spdy-dictionary.ts";

export const SPDY_VERSION = 3;

export const FrameType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

export const FLAG_FIN = 0x01;

/** RST_STREAM status codes used here. */
export const RstStatus = { PROTOCOL_ERROR: 1, INVALID_STREAM: 2, CANCEL: 5 } as const;

export type Frame =
  | { control: true; type: number; flags: number; payload: Buffer }
  | { control: false; streamId: number; flags: number; data: Buffer };

/** Cuts a byte stream into frames; bytes of an unfinished frame wait for the next chunk. */
export class FrameReader {
  #pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.#pending.length >= 8) {
      const length = this.#pending.readUInt32BE(4) & 0xffffff;
      if (this.#pending.length < 8 + length) break;
      const flags = this.#pending[4]!;
      const body = this.#pending.subarray(8, 8 + length);
      if (this.#pending[0]! & 0x80) {
        frames.push({ control: true, type: this.#pending.readUInt16BE(2), flags, payload: body });
      } else {
        frames.push({
          control: false,
          streamId: this.#pending.readUInt32BE(0) & 0x7fffffff,
          flags,
          data: body,
        });
      }
      this.#pending = this.#pending.subarray(8 + length);
    }
    return frames;
  }
}

export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags & 0xff) << 24) | payload.length, 4);
  return Buffer.concat([head, payload]);
}

export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(((flags & 0xff) << 24) | data.length, 4);
  return Buffer.concat([head, data]);
}

/** Four-byte big-endian words, the body of RST_STREAM, PING and GOAWAY frames. */
export function words(...values: number[]): Buffer {
  const buffer = Buffer.alloc(4 * values.length);
  values.forEach((value, i) => {
    buffer.writeUInt32BE(value >>> 0, 4 * i);
  });
  return buffer;
}

/** Header names are lowercase; a name with several values joins them with NUL. */
export type SpdyHeaders = Map<string, string[]>;

export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [words(headers.size)];
  for (const [name, values] of headers) {
    const value = Buffer.from(values.join("\0"), "latin1");
    parts.push(words(name.length), Buffer.from(name.toLowerCase(), "latin1"), words(value.length), value);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = new Map();
  let at = 0;
  const take = () => {
    const length = block.readUInt32BE(at);
    if (at + 4 + length > block.length) throw new Error("header block is truncated");
    const text = block.toString("latin1", at + 4, at + 4 + length);
    at += 4 + length;
    return text;
  };
  const count = block.readUInt32BE(0);
  at = 4;
  for (let i = 0; i < count; i++) {
    const name = take().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), ...take().split("\0")]);
  }
  return headers;
}

/** One direction's compression context: every call sees the state the previous one left. */
class ZlibContext {
  readonly #stream: Deflate | Inflate;
  #output: Buffer[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  #failure: Error | undefined;

  constructor(stream: Deflate | Inflate) {
    this.#stream = stream;
    stream.on("data", (chunk: Buffer) => this.#output.push(chunk));
    stream.on("error", (err: Error) => {
      this.#failure = err;
    });
  }

  /** Feeds one header block's bytes and resolves with what comes out after a sync flush. */
  process(input: Buffer): Promise<Buffer> {
    const run = () =>
      new Promise<Buffer>((resolve, reject) => {
        if (this.#failure) return reject(this.#failure);
        const fail = (err: Error) => reject(err);
        this.#stream.once("error", fail);
        this.#stream.write(input);
        this.#stream.flush(constants.Z_SYNC_FLUSH, () => {
          this.#stream.off("error", fail);
          if (this.#failure) return reject(this.#failure);
          resolve(Buffer.concat(this.#output.splice(0)));
        });
      });
    const result = this.#queue.then(run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  close(): void {
    this.#stream.destroy();
  }
}

/** The two header-compression contexts of one SPDY connection. */
export class HeaderCodec {
  readonly #inflate = new ZlibContext(createInflate({ dictionary: SPDY3_DICTIONARY }));
  readonly #deflate = new ZlibContext(createDeflate({ dictionary: SPDY3_DICTIONARY }));

  async decode(compressed: Buffer): Promise<SpdyHeaders> {
    return decodeHeaderBlock(await this.#inflate.process(compressed));
  }

  encode(headers: SpdyHeaders): Promise<Buffer> {
    return this.#deflate.process(encodeHeaderBlock(headers));
  }

  close(): void {
    this.#inflate.close();
    this.#deflate.close();
  }
}
