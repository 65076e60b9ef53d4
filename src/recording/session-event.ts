/**
 * What the session decoders (frames/) hand the recorder: the channel events of one kubectl
 * exec or attach session, decoded from copies of the bytes the gateway relays. Decoders never
 * throw and never see the relay itself; a direction they cannot read any more is reported
 * once through `onError` and then ignored, while the session goes on untouched.
 */

export type SessionStream = "stdin" | "stdout" | "stderr" | "error" | "resize";

/**
 * One piece of a stream. `data` is valid only during the call that hands it over: stdin,
 * stdout and stderr are views of the relayed bytes or of a decoder's scratch buffer, so
 * whoever keeps them copies them (the recorder copies each once, into its records). stdin, stdout and
 * stderr come in pieces as the bytes arrive (a piece boundary means nothing); `error` is one
 * whole message (a Status JSON from v4 on); `resize` is one terminal size, a JSON
 * `{"Width":W,"Height":H}` without its line ending.
 */
export interface SessionEvent {
  stream: SessionStream;
  data: Buffer;
}

export interface ChannelDecoder {
  /** Raw bytes the client sent (after the HTTP request head). */
  fromClient(chunk: Buffer): void;
  /** Raw bytes the cluster sent; whether they start with an HTTP response head: see each factory. */
  fromServer(chunk: Buffer): void;
  /** The connection closed: hands over what a stream still held (an error without its end). */
  end(): void;
}

export interface DecoderCallbacks {
  onEvent(event: SessionEvent): void;
  onError(message: string): void;
}

export type Direction = "client" | "server";

/**
 * Which side may write each stream. A client that sends bytes on the stdout channel must not
 * be able to forge the output a recording shows, so the decoders drop them.
 */
export const WRITER: Readonly<Record<SessionStream, Direction>> = {
  stdin: "client",
  resize: "client",
  stdout: "server",
  stderr: "server",
  error: "server",
};
