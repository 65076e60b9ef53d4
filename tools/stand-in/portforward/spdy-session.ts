/**
 * The server's side of one SPDY/3.1 connection, as apimachinery's spdy package (over
 * moby/spdystream) runs it for the kubelet: the client opens every stream (odd ids, rising);
 * each SYN_STREAM is checked, then answered with an empty SYN_REPLY or refused with
 * RST_STREAM; data frames carry bytes, FIN half-closes, RST_STREAM drops a stream; PINGs are
 * echoed; GOAWAY ends the connection. Like spdystream there is no flow control: WINDOW_UPDATE
 * and SETTINGS are read and ignored. Each stream is a Duplex: what is written goes out as data
 * frames, end() sends FIN, destroy() before both sides finished sends RST_STREAM.
 */
import { Duplex } from "node:stream";
import {
  controlFrame,
  dataFrame,
  FLAG_FIN,
  type Frame,
  FrameReader,
  FrameType,
  HeaderCodec,
  RstStatus,
  type SpdyHeaders,
  words,
} from "./spdy-codec.ts";

/** The bytes under the SPDY connection: a socket, or a WebSocket tunnelling them. */
export interface ByteTransport {
  write(bytes: Buffer): void;
  close(): void;
}

export interface StreamHandler {
  /** Returns why a new stream is refused (it is then reset), or undefined to accept it. */
  check(headers: SpdyHeaders): string | undefined;
  /** An accepted stream, after its SYN_REPLY has been queued. */
  open(stream: SpdyStream): void;
}

export class SpdyStream extends Duplex {
  readonly id: number;
  readonly headers: SpdyHeaders;
  readonly #session: SpdySession;
  #reset = false;

  constructor(session: SpdySession, id: number, headers: SpdyHeaders) {
    super({ allowHalfOpen: true });
    this.#session = session;
    this.id = id;
    this.headers = headers;
    // Writes after a reset are dropped, as spdystream drops them; nothing to report.
    this.on("error", () => undefined);
  }

  header(name: string): string {
    return this.headers.get(name)?.[0] ?? "";
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.#reset) this.#session.send(dataFrame(this.id, 0, chunk));
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.#reset) this.#session.send(dataFrame(this.id, FLAG_FIN, Buffer.alloc(0)));
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const finished = this.writableFinished && this.readableEnded;
    if (!this.#reset && !finished)
      this.#session.send(controlFrame(FrameType.RST_STREAM, 0, words(this.id, RstStatus.CANCEL)));
    this.#reset = true;
    this.#session.forget(this.id);
    callback(error);
  }

  /** The client reset the stream: nothing more is sent on it. */
  remoteReset(): void {
    this.#reset = true;
    this.destroy();
  }
}

export class SpdySession {
  readonly #transport: ByteTransport;
  readonly #handler: StreamHandler;
  readonly #reader = new FrameReader();
  readonly #codec = new HeaderCodec();
  readonly #streams = new Map<number, SpdyStream>();
  #lastStreamId = 0;
  #inbound: Promise<void> = Promise.resolve();
  #outbound: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(transport: ByteTransport, handler: StreamHandler) {
    this.#transport = transport;
    this.#handler = handler;
  }

  /** Bytes from the client; frames are handled strictly in order (header blocks share state). */
  receive(chunk: Buffer): void {
    if (this.#closed) return;
    for (const frame of this.#reader.push(chunk)) {
      this.#inbound = this.#inbound.then(() => this.#handle(frame)).catch(() => this.close());
    }
  }

  /** Queues frame bytes (or a frame still being compressed) behind everything sent before. */
  send(frame: Buffer | Promise<Buffer>): void {
    this.#outbound = this.#outbound
      .then(async () => {
        const bytes = await frame;
        if (!this.#closed) this.#transport.write(bytes);
      })
      .catch(() => this.close());
  }

  forget(id: number): void {
    this.#streams.delete(id);
  }

  /** Ends the connection once every frame queued so far is written (a server's last words). */
  async finish(): Promise<void> {
    await this.#outbound;
    this.close();
  }

  /** Ends the connection: every stream is dropped and the transport closed. */
  close(): void {
    this.closed();
    this.#transport.close();
  }

  /** The transport is gone; drops every stream. */
  closed(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const stream of [...this.#streams.values()]) stream.remoteReset();
    this.#codec.close();
  }

  async #handle(frame: Frame): Promise<void> {
    if (this.#closed) return;
    if (!frame.control) {
      const stream = this.#streams.get(frame.streamId);
      if (!stream) return;
      if (frame.data.length > 0) stream.push(frame.data);
      if (frame.flags & FLAG_FIN) stream.push(null);
      return;
    }
    const { type, payload } = frame;
    if (type === FrameType.SYN_STREAM) return this.#synStream(frame.flags, payload);
    if (type === FrameType.RST_STREAM) this.#streams.get(payload.readUInt32BE(0) & 0x7fffffff)?.remoteReset();
    else if (type === FrameType.PING) this.send(controlFrame(FrameType.PING, 0, payload));
    else if (type === FrameType.GOAWAY) this.close();
    // SETTINGS, WINDOW_UPDATE, HEADERS, SYN_REPLY: nothing to do for a port-forward server.
  }

  async #synStream(flags: number, payload: Buffer): Promise<void> {
    const id = payload.readUInt32BE(0) & 0x7fffffff;
    // Decoded even for a refused stream: the header compression state must advance.
    const headers = await this.#codec.decode(payload.subarray(10));
    if (id % 2 === 0 || id <= this.#lastStreamId) {
      this.send(controlFrame(FrameType.RST_STREAM, 0, words(id, RstStatus.PROTOCOL_ERROR)));
      return;
    }
    this.#lastStreamId = id;
    const refusal = this.#handler.check(headers);
    if (refusal !== undefined) {
      this.send(controlFrame(FrameType.RST_STREAM, 0, words(id, RstStatus.CANCEL)));
      return;
    }
    const stream = new SpdyStream(this, id, headers);
    this.#streams.set(id, stream);
    if (flags & FLAG_FIN) stream.push(null);
    const reply = this.#codec.encode(new Map());
    this.send(reply.then((block) => controlFrame(FrameType.SYN_REPLY, 0, Buffer.concat([words(id), block]))));
    this.#handler.open(stream);
  }
}
