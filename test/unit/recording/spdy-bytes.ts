import { constants, createDeflate } from "node:zlib";
import {
  controlFrame,
  dataFrame,
  encodeHeaderBlock,
  FrameType,
  words,
} from "../../../tools/stand-in/portforward/spdy-codec.ts";
import { SPDY3_DICTIONARY } from "../../../tools/stand-in/portforward/spdy-dictionary.ts";

export { controlFrame, dataFrame, FrameType, words };

/**
 * One direction's header compression as moby/spdystream writes it: a single zlib stream for
 * the connection, preset with the SPDY dictionary, flushed (Z_SYNC_FLUSH) after each block,
 * at Go's BestCompression. Blocks are compressed one after another, in order.
 */
export class HeaderDeflater {
  readonly #deflate = createDeflate({ dictionary: SPDY3_DICTIONARY, level: 9 });

  /** Compresses raw block bytes, as given (to write broken blocks too). */
  raw(block: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const onData = (chunk: Buffer) => out.push(chunk);
      this.#deflate.on("data", onData);
      this.#deflate.once("error", reject);
      this.#deflate.write(block);
      this.#deflate.flush(constants.Z_SYNC_FLUSH, () => {
        this.#deflate.off("data", onData);
        this.#deflate.off("error", reject);
        resolve(Buffer.concat(out));
      });
    });
  }

  headers(headers: Record<string, string>): Promise<Buffer> {
    return this.raw(encodeHeaderBlock(new Map(Object.entries(headers).map(([k, v]) => [k, [v]]))));
  }

  close(): void {
    this.#deflate.destroy();
  }
}

/** SYN_STREAM as spdystream writes it: stream id, associated id, priority << 5, slot, headers. */
export async function synStream(deflater: HeaderDeflater, id: number, streamType: string, flags = 0) {
  const block = await deflater.headers({ streamtype: streamType });
  return controlFrame(FrameType.SYN_STREAM, flags, Buffer.concat([words(id, 0), Buffer.from([0, 0]), block]));
}

/** SYN_REPLY (or HEADERS) as spdystream writes it: stream id, then the header block. */
export async function reply(deflater: HeaderDeflater, id: number, type: number = FrameType.SYN_REPLY) {
  return controlFrame(type, 0, Buffer.concat([words(id), await deflater.headers({})]));
}

export const FIN = 0x01;
export const SWITCHED =
  "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n" +
  "X-Stream-Protocol-Version: v4.channel.k8s.io\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n";
