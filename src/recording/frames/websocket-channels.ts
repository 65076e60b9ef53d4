import {
  type ChannelDecoder,
  type DecoderCallbacks,
  type Direction,
  type SessionStream,
  WRITER,
} from "../session-event.ts";
import { guarded } from "./guard.ts";
import { afterHead } from "./http-head.ts";
import { StreamSink } from "./stream-sink.ts";
import { type MessageHandler, WebSocketFrameReader } from "./websocket-frames.ts";

/**
 * kubectl's exec and attach over WebSocket (KEP-3396): every message starts with its channel,
 * a byte in the binary protocols, an ASCII digit before base64 text in the `base64.` ones
 * (browsers). v5 adds channel 255, a half-close signal, which carries no session bytes.
 */
const PROTOCOL = /^(?:v[2-5]\.)?(base64\.)?channel\.k8s\.io$/;
const CHANNELS: readonly SessionStream[] = ["stdin", "stdout", "stderr", "error", "resize"];
const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

export interface WebSocketDecoderOptions {
  /** The cluster's side starts with the HTTP 101 response head (a raw socket tap). */
  serverHead?: boolean;
  /** A frame longer than this stops decoding its direction (default 16 MiB). */
  maxFrameBytes?: number;
}

/**
 * Decodes both directions of an exec or attach WebSocket negotiated with `subprotocol`. The
 * client's side starts with frames (the request head is already read); the cluster's side
 * too, unless `serverHead`. A subprotocol it cannot read is reported once, and nothing more.
 */
export function webSocketChannelDecoder(
  subprotocol: string,
  callbacks: DecoderCallbacks,
  options: WebSocketDecoderOptions = {},
): ChannelDecoder {
  const match = PROTOCOL.exec(subprotocol);
  if (!match) {
    callbacks.onError(`websocket: subprotocol "${subprotocol}" carries no exec channels`);
    return { fromClient: () => {}, fromServer: () => {}, end: () => {} };
  }
  const base64 = Boolean(match[1]);
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const reader = (direction: Direction) => {
    const demux = new ChannelDemux(direction, base64, callbacks);
    return new WebSocketFrameReader({ masked: direction === "client", handler: demux, maxFrameBytes });
  };
  const client = reader("client");
  const server = reader("server");
  const toServer = (chunk: Buffer) => server.push(chunk);
  return {
    fromClient: guarded("websocket from client", (chunk: Buffer) => client.push(chunk), callbacks.onError),
    fromServer: guarded(
      "websocket from cluster",
      options.serverHead ? afterHead(toServer) : toServer,
      callbacks.onError,
    ),
    // A message cut off by the connection's end is dropped, not recorded half.
    end: () => {},
  };
}

/** Routes each message of one direction to its channel's sink, by the message's first byte. */
class ChannelDemux implements MessageHandler {
  readonly #base64: boolean;
  readonly #sinks: (StreamSink | undefined)[];
  /** Whether the current message is read: binary in the binary protocols, text in base64. */
  #wanted = false;
  #channelKnown = false;
  #sink: StreamSink | undefined;
  #text: Base64Pieces | undefined;

  constructor(direction: Direction, base64: boolean, callbacks: DecoderCallbacks) {
    this.#base64 = base64;
    const onEvent = callbacks.onEvent.bind(callbacks);
    this.#sinks = CHANNELS.map((stream) =>
      WRITER[stream] === direction ? new StreamSink(stream, onEvent) : undefined,
    );
  }

  start(binary: boolean): void {
    this.#wanted = binary !== this.#base64;
    this.#channelKnown = false;
    this.#sink = undefined;
    if (this.#base64) this.#text = new Base64Pieces();
  }

  piece(data: Buffer): void {
    if (!this.#wanted || data.length === 0) return;
    if (!this.#channelKnown) {
      this.#channelKnown = true;
      const channel = this.#base64 ? data[0]! - 0x30 : data[0]!;
      this.#sink = this.#sinks[channel];
      data = data.subarray(1);
    }
    if (!this.#sink) return;
    this.#sink.write(this.#text ? this.#text.decode(data) : data);
  }

  end(): void {
    if (!this.#sink) return;
    if (this.#text) this.#sink.write(this.#text.flush());
    this.#sink.end();
    this.#sink = undefined;
  }
}

/** Base64 decoded as it comes: whole groups of four characters now, the rest with the next piece. */
class Base64Pieces {
  #carry = "";

  decode(data: Buffer): Buffer {
    const text = this.#carry + data.toString("latin1");
    const whole = text.length - (text.length % 4);
    this.#carry = text.slice(whole);
    return Buffer.from(text.slice(0, whole), "base64");
  }

  flush(): Buffer {
    const rest = Buffer.from(this.#carry, "base64");
    this.#carry = "";
    return rest;
  }
}
