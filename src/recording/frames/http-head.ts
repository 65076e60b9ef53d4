/** Longer than any real 101 answer; past it the bytes are not a response head. */
const HEAD_LIMIT = 64 * 1024;
const STATUS_LINE_LIMIT = 256;

/**
 * Skips the HTTP/1.1 response head that opens the cluster's side of an upgraded connection,
 * across any chunk boundaries, and checks that it switched protocols: after any other status
 * the bytes that follow are a body, not frames.
 */
export class HttpHeadSkipper {
  #seen = 0;
  /** How much of "\r\n\r\n" the last bytes matched. */
  #matched = 0;
  #statusLine = "";
  #statusDone = false;

  /** The bytes after the head (possibly none) once it is complete; undefined until then. */
  push(chunk: Buffer): Buffer | undefined {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (!this.#statusDone) this.#statusByte(byte);
      this.#matched =
        byte === (this.#matched % 2 === 0 ? 0x0d : 0x0a) ? this.#matched + 1 : byte === 0x0d ? 1 : 0;
      if (this.#matched === 4) return chunk.subarray(i + 1);
    }
    this.#seen += chunk.length;
    if (this.#seen > HEAD_LIMIT) throw new Error(`response head longer than ${HEAD_LIMIT} bytes`);
    return undefined;
  }

  #statusByte(byte: number): void {
    if (byte !== 0x0d && byte !== 0x0a && this.#statusLine.length < STATUS_LINE_LIMIT) {
      this.#statusLine += String.fromCharCode(byte);
      return;
    }
    this.#statusDone = true;
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(this.#statusLine)?.[1];
    if (status !== "101") {
      throw new Error(
        `the cluster answered ${status ? `HTTP ${status}` : "with no HTTP status line"}, not 101`,
      );
    }
  }
}

/** `push` behind the skipping of a response head: it sees only the bytes after it. */
export function afterHead(push: (chunk: Buffer) => void): (chunk: Buffer) => void {
  const head = new HttpHeadSkipper();
  let done = false;
  return (chunk) => {
    if (done) return push(chunk);
    const rest = head.push(chunk);
    if (rest === undefined) return;
    done = true;
    if (rest.length > 0) push(rest);
  };
}
