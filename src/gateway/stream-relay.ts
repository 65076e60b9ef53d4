import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Relays a watch or a followed log to the client so that the broker can end it with a reason
 * the client shows, instead of cutting the connection (kubectl then says nothing, or
 * "unexpected EOF"). A JSON watch is relayed event by event — a partial event is held back
 * until its newline — so a final ERROR event carrying a Status can follow a whole one; a log
 * gets a last line of its own. Backpressure is the client's, as with a pipe.
 */
export class StreamRelay {
  readonly #from: IncomingMessage;
  readonly #to: ServerResponse;
  readonly #watch: boolean;
  #held: Buffer | undefined;
  #lastByte = 0x0a;
  #ended = false;

  constructor(from: IncomingMessage, to: ServerResponse, kind: "watch" | "log") {
    this.#from = from;
    this.#to = to;
    this.#watch = kind === "watch";
    from.on("data", (chunk: Buffer) => this.#relay(chunk));
    from.on("end", () => this.#finish(this.#held));
  }

  /** Whether the upstream answer can be relayed this way (JSON for a watch, text for a log). */
  static fits(res: IncomingMessage, kind: "watch" | "log"): boolean {
    const type = String(res.headers["content-type"] ?? "");
    if (res.headers["content-encoding"] || (res.statusCode ?? 0) >= 300) return false;
    return kind === "watch" ? type.startsWith("application/json") : !type.includes("protobuf");
  }

  /** Ends the stream now, telling the client why; what the cluster sends after is dropped. */
  cut(reason: string): void {
    if (this.#ended) return;
    this.#from.removeAllListeners("data").removeAllListeners("end").resume();
    const trailer = this.#watch
      ? `${JSON.stringify({ type: "ERROR", object: forbidden(reason) })}\n`
      : `${this.#lastByte === 0x0a ? "" : "\n"}kube-broker: ${reason}\n`;
    this.#finish(Buffer.from(trailer));
  }

  #relay(chunk: Buffer): void {
    let out = chunk;
    if (this.#watch) {
      const joined = this.#held ? Buffer.concat([this.#held, chunk]) : chunk;
      const cut = joined.lastIndexOf(0x0a) + 1;
      this.#held = cut < joined.length ? joined.subarray(cut) : undefined;
      out = joined.subarray(0, cut);
    }
    if (out.length === 0) return;
    this.#lastByte = out[out.length - 1]!;
    if (!this.#to.write(out)) {
      this.#from.pause();
      this.#to.once("drain", () => this.#from.resume());
    }
  }

  #finish(last: Buffer | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#to.end(last);
  }
}

/** A Status as the API server writes one. */
function forbidden(message: string) {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason: "Forbidden",
    code: 403,
  };
}
