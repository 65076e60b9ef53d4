import {
  type ChannelDecoder,
  type DecoderCallbacks,
  type Direction,
  type SessionStream,
  WRITER,
} from "../session-event.ts";
import { guarded } from "./guard.ts";
import { afterHead } from "./http-head.ts";
import { FLAG_FIN, type SpdyFrameHandler, SpdyFrameReader } from "./spdy-frames.ts";
import { HeaderInflater, parseHeaderBlock } from "./spdy-headers.ts";
import { StreamSink } from "./stream-sink.ts";

const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const HEADERS = 8;
/** An exec session opens five streams at most; many more is not one. */
const STREAM_LIMIT = 64;
const STREAM_TYPES = new Set<string>(["stdin", "stdout", "stderr", "error", "resize"]);

/**
 * Decodes kubectl's SPDY/3.1 fallback for exec and attach (client-go remotecommand over
 * moby/spdystream): the client opens one stream per channel, its SYN_STREAM naming it in a
 * `streamtype` header, and DATA frames on a stream carry that channel's bytes. The cluster's
 * side starts with the HTTP 101 response head, the client's with frames (its request head is
 * already read). SETTINGS, PING, GOAWAY, WINDOW_UPDATE and unknown control frames are
 * skipped; SYN_REPLY and HEADERS are decompressed only to keep the zlib context in step.
 */
export function spdyChannelDecoder(callbacks: DecoderCallbacks): ChannelDecoder {
  const streams = new Map<number, StreamSink>();
  const onEvent = callbacks.onEvent.bind(callbacks);
  const reader = (direction: Direction) => {
    const inflater = new HeaderInflater();
    const handler: SpdyFrameHandler = {
      control(type, _flags, payload) {
        if (type === SYN_STREAM) {
          need(payload, 10, "SYN_STREAM");
          const stream = parseHeaderBlock(inflater.inflate(payload.subarray(10))).get("streamtype");
          const id = payload.readUInt32BE(0) & 0x7fffffff;
          if (!stream || !STREAM_TYPES.has(stream) || streams.has(id)) return;
          if (streams.size >= STREAM_LIMIT) throw new Error(`more than ${STREAM_LIMIT} open streams`);
          streams.set(id, new StreamSink(stream as SessionStream, onEvent));
        } else if (type === SYN_REPLY || type === HEADERS) {
          need(payload, 4, type === HEADERS ? "HEADERS" : "SYN_REPLY");
          inflater.inflate(payload.subarray(4));
        } else if (type === RST_STREAM) {
          need(payload, 8, "RST_STREAM");
          close(payload.readUInt32BE(0) & 0x7fffffff);
        }
      },
      data(streamId, piece) {
        const sink = streams.get(streamId);
        if (sink && WRITER[sink.stream] === direction) sink.write(piece);
      },
      dataEnd(streamId, flags) {
        const sink = streams.get(streamId);
        if (flags & FLAG_FIN && sink && WRITER[sink.stream] === direction) close(streamId);
      },
    };
    return new SpdyFrameReader(handler);
  };
  const close = (id: number) => {
    streams.get(id)?.end();
    streams.delete(id);
  };
  const client = reader("client");
  const server = reader("server");
  return {
    fromClient: guarded("spdy from client", (chunk: Buffer) => client.push(chunk), callbacks.onError),
    fromServer: guarded(
      "spdy from cluster",
      afterHead((chunk) => server.push(chunk)),
      callbacks.onError,
    ),
    end: guarded(
      "spdy",
      () => {
        for (const id of [...streams.keys()]) close(id);
      },
      callbacks.onError,
    ),
  };
}

function need(payload: Buffer, bytes: number, frame: string): void {
  if (payload.length < bytes) throw new Error(`${frame} frame of ${payload.length} bytes is too short`);
}
