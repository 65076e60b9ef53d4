import type { Duplex } from "node:stream";

/**
 * The cluster's side of an upgraded WebSocket (exec, attach, port-forward), relayed to the
 * client frame by frame — a frame split across reads is held back until it is whole — so that
 * the broker can end the session cleanly: for the channel protocols a Status on the error
 * channel (kubectl prints its message, where a dropped connection shows only "close 1006"),
 * then a close frame carrying the reason. Backpressure is the client's, as with a pipe.
 */
export class WebSocketEnding {
  readonly #from: Duplex;
  readonly #to: Duplex;
  readonly #protocol: string;
  #held: Buffer = Buffer.alloc(0);
  #ended = false;

  constructor(from: Duplex, to: Duplex, protocol: string) {
    this.#from = from;
    this.#to = to;
    this.#protocol = protocol;
    from.on("data", (chunk: Buffer) => this.#relay(chunk));
    from.on("end", () => to.end());
  }

  /** Ends the session with `reason`; the cluster's side is left to the caller to close. */
  cut(reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#from.removeAllListeners("data").removeAllListeners("end");
    const frames: Buffer[] = [];
    const status = JSON.stringify({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: reason,
      reason: "Forbidden",
      code: 403,
    });
    if (/^v[45]\.channel\.k8s\.io$/.test(this.#protocol)) {
      frames.push(frame(0x2, Buffer.concat([Buffer.from([3]), Buffer.from(status)])));
    } else if (/^v[45]\.base64\.channel\.k8s\.io$/.test(this.#protocol)) {
      frames.push(frame(0x1, Buffer.from(`3${Buffer.from(status).toString("base64")}`)));
    }
    // A normal close (1000) lets the client finish reading what came before it; the reason
    // rides along, cut to the 123 bytes a close frame holds.
    const code = Buffer.alloc(2);
    code.writeUInt16BE(1000);
    frames.push(frame(0x8, Buffer.concat([code, utf8Prefix(reason, 123)])));
    this.#to.end(Buffer.concat(frames));
  }

  #relay(chunk: Buffer): void {
    this.#held = this.#held.length > 0 ? Buffer.concat([this.#held, chunk]) : chunk;
    const whole = wholeFramesLength(this.#held);
    if (whole === 0) return;
    const out = this.#held.subarray(0, whole);
    this.#held = this.#held.subarray(whole);
    if (!this.#to.write(out)) {
      this.#from.pause();
      this.#to.once("drain", () => this.#from.resume());
    }
  }
}

/** How many leading bytes of `data` are complete frames. */
function wholeFramesLength(data: Buffer): number {
  let at = 0;
  for (;;) {
    if (data.length - at < 2) return at;
    const second = data[at + 1]!;
    let length = second & 0x7f;
    let header = 2;
    if (length === 126) {
      if (data.length - at < 4) return at;
      length = data.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      if (data.length - at < 10) return at;
      length = Number(data.readBigUInt64BE(at + 2));
      header = 10;
    }
    if (second & 0x80) header += 4;
    if (data.length - at < header + length) return at;
    at += header + length;
  }
}

/** An unmasked frame, as a server sends. */
function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const head =
    length < 126
      ? Buffer.from([0x80 | opcode, length])
      : Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff]);
  return Buffer.concat([head, payload]);
}

function utf8Prefix(text: string, maxBytes: number): Buffer {
  let bytes = Buffer.from(text);
  while (bytes.length > maxBytes) {
    text = text.slice(0, -1);
    bytes = Buffer.from(text);
  }
  return bytes;
}
