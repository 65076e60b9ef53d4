import { constants, inflateRawSync } from "node:zlib";
import { SPDY3_DICTIONARY } from "./spdy-dictionary.ts";

/** Deflate reaches back at most 32 KiB. */
const WINDOW = 32 * 1024;
/** Header blocks of an exec session are a few hundred bytes, and a handful per direction. */
const BLOCK_OUTPUT_LIMIT = 64 * 1024;
const BLOCK_COUNT_LIMIT = 256;
const PAIR_LIMIT = 100;

/**
 * One direction's header decompression. SPDY compresses every header block of a connection
 * with one zlib stream (preset with the SPDY dictionary), each block ending in a sync flush,
 * so a block can only be read with all earlier ones. Node offers no synchronous zlib stream,
 * but a sync flush ends on a deflate block boundary, and what a later block refers back to
 * is only the last 32 KiB of output: so each block is inflated alone, as raw deflate, with
 * the window so far (dictionary, then all output) as its preset dictionary. The first block
 * carries the zlib header, which is checked and skipped; the stream never ends, so there is
 * no checksum to check.
 */
export class HeaderInflater {
  #window: Buffer = SPDY3_DICTIONARY;
  #blocks = 0;

  inflate(block: Buffer): Buffer {
    if (++this.#blocks > BLOCK_COUNT_LIMIT) throw new Error(`more than ${BLOCK_COUNT_LIMIT} header blocks`);
    const deflated = this.#blocks === 1 ? skipZlibHeader(block) : block;
    let output: Buffer;
    try {
      output = inflateRawSync(deflated, {
        dictionary: this.#window,
        finishFlush: constants.Z_SYNC_FLUSH,
        maxOutputLength: BLOCK_OUTPUT_LIMIT,
      });
    } catch (err) {
      throw new Error(`header block does not decompress: ${(err as Error).message}`);
    }
    const joined = Buffer.concat([this.#window, output]);
    this.#window = joined.subarray(Math.max(0, joined.length - WINDOW));
    return output;
  }
}

function skipZlibHeader(block: Buffer): Buffer {
  const cmf = block[0];
  const flg = block[1];
  if (cmf === undefined || flg === undefined || (cmf & 0x0f) !== 8 || (cmf * 256 + flg) % 31 !== 0) {
    throw new Error("first header block has no zlib header");
  }
  // FDICT: the dictionary's Adler-32 follows; the dictionary is fixed by the protocol.
  return block.subarray(flg & 0x20 ? 6 : 2);
}

/**
 * A decompressed SPDY/3 header block: a 32-bit pair count, then length-prefixed (32-bit)
 * names and values; several values of one name are joined by NUL. Names are lowercase on
 * the wire; they are lowered again here, as spdystream does when it reads them.
 */
export function parseHeaderBlock(block: Buffer): Map<string, string> {
  const headers = new Map<string, string>();
  let at = 0;
  const take = (): string => {
    if (at + 4 > block.length) throw new Error("header block is truncated");
    const length = block.readUInt32BE(at);
    if (at + 4 + length > block.length) throw new Error("header block is truncated");
    at += 4 + length;
    return block.toString("latin1", at - length, at);
  };
  if (block.length < 4) throw new Error("header block is truncated");
  const count = block.readUInt32BE(0);
  if (count > PAIR_LIMIT) throw new Error(`header block of ${count} pairs`);
  at = 4;
  for (let i = 0; i < count; i++) {
    const name = take().toLowerCase();
    headers.set(name, take());
  }
  return headers;
}
