/**
 * A large exec stream, as `kubectl exec -i pod -- cat < file` makes one, driven over
 * WebSocket (v5.channel.k8s.io) by the benchmark itself so that no kubectl start-up or
 * terminal handling is in the figure: the payload goes to the pod's stdin in 32 KiB messages
 * and comes back on stdout, checked byte for byte against what was sent.
 */
import WebSocket from "ws";

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
/** v5's "close this channel": stdin ends, cat ends, the session ends. */
const CLOSE_STDIN = Buffer.from([255, STDIN]);

/** Log-like text: what a large `cat` usually carries, and what a recording stores as is. */
export function textPayload(bytes: number): Buffer {
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; length < bytes; i++) {
    const line = `2026-11-29T10:${String(((i / 60000) % 60) | 0).padStart(2, "0")}:${String(((i / 1000) % 60) | 0).padStart(2, "0")}.${String(i % 1000).padStart(3, "0")}Z INFO request ${i} GET /api/v1/namespaces/team-a/pods/web-${i % 97} 200 ${(i % 1733) / 100}ms\n`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(lines.join("").slice(0, bytes), "latin1");
}

/** The payload cut into stdin messages (channel byte first), made once and sent by every run. */
export function stdinMessages(payload: Buffer, chunkBytes: number): Buffer[] {
  const messages: Buffer[] = [];
  for (let at = 0; at < payload.length; at += chunkBytes) {
    const piece = payload.subarray(at, at + chunkBytes);
    const message = Buffer.allocUnsafe(piece.length + 1);
    message[0] = STDIN;
    piece.copy(message, 1);
    messages.push(message);
  }
  return messages;
}

export interface ExecStreamOptions {
  /** wss://…/api/v1/namespaces/<ns>/pods/<pod>/exec?command=cat&stdin=true&stdout=true */
  url: string;
  token: string;
  ca: string[];
  payload: Buffer;
  messages: Buffer[];
  /** Bytes sent but not yet echoed, at most: the backpressure a real client gets from TCP. */
  windowBytes: number;
  /** Send no faster than this (MiB/s): how fast a recording can go and stay whole. */
  paceMiBps?: number;
}

/** Seconds from the connection's start to the last byte of the echo, and what the pod answered. */
export async function execStream(options: ExecStreamOptions): Promise<{ seconds: number }> {
  const { payload, messages, windowBytes } = options;
  const started = performance.now();
  const ws = new WebSocket(options.url, ["v5.channel.k8s.io"], {
    headers: { authorization: `Bearer ${options.token}` },
    ca: options.ca,
    // kubectl negotiates no extension; compression would also hide the relay's cost.
    perMessageDeflate: false,
  });
  let received = 0;
  let mismatch: string | undefined;
  let status = "";
  let stderr = "";
  let wake: (() => void) | undefined;
  const poke = () => {
    const waiter = wake;
    wake = undefined;
    waiter?.();
  };
  ws.on("message", (data: Buffer) => {
    const channel = data[0];
    const body = data.subarray(1);
    if (channel === STDOUT) {
      if (!mismatch && !body.equals(payload.subarray(received, received + body.length))) {
        mismatch = `stdout differs from stdin within bytes ${received}–${received + body.length}`;
      }
      received += body.length;
      poke();
    } else if (channel === STATUS) status = body.toString("utf8");
    else if (channel === STDERR) stderr += body.toString("utf8");
  });
  let closed = false;
  const close = new Promise<void>((resolve) =>
    ws.once("close", () => {
      closed = true;
      poke();
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`exec answered ${res.statusCode}`)));
  });
  ws.on("error", () => {});
  const until = async (done: () => boolean) => {
    while (!done() && !closed) await new Promise<void>((resolve) => (wake = resolve));
  };
  let sent = 0;
  const pace = options.paceMiBps ? options.paceMiBps * 2 ** 20 : 0;
  for (const message of messages) {
    await until(() => sent - received <= windowBytes);
    const early = pace ? started + (sent / pace) * 1000 - performance.now() : 0;
    if (early > 1) await new Promise((resolve) => setTimeout(resolve, early));
    ws.send(message);
    sent += message.length - 1;
  }
  ws.send(CLOSE_STDIN);
  await until(() => received >= payload.length);
  const seconds = (performance.now() - started) / 1000;
  await close;
  if (mismatch) throw new Error(mismatch);
  if (received !== payload.length) {
    throw new Error(`echoed ${received} of ${payload.length} bytes; stderr ${JSON.stringify(stderr)}`);
  }
  if (!status.includes('"Success"')) throw new Error(`exec ended with ${status || "no status"}`);
  return { seconds };
}
