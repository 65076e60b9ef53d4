import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { WebSocket, WebSocketServer } from "ws";

/** One RFC 6455 frame, written by hand so that tests can also write what `ws` never would. */
export function frame(options: {
  opcode: number;
  payload: Buffer;
  fin?: boolean;
  /** Client frames carry a mask key. */
  mask?: Buffer;
  rsv?: number;
  /** Force the 16- or 64-bit length form. */
  lengthBits?: 7 | 16 | 64;
}): Buffer {
  const { opcode, payload, mask } = options;
  const bits = options.lengthBits ?? (payload.length < 126 ? 7 : payload.length < 65536 ? 16 : 64);
  const first = ((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | opcode;
  const maskBit = mask ? 0x80 : 0;
  let head: Buffer;
  if (bits === 7) head = Buffer.from([first, maskBit | payload.length]);
  else if (bits === 16) {
    head = Buffer.from([first, maskBit | 126, 0, 0]);
    head.writeUInt16BE(payload.length, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = first;
    head[1] = maskBit | 127;
    head.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  if (!mask) return Buffer.concat([head, payload]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([head, mask, masked]);
}

export const MASK = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
/** A channel message: its channel byte, then the data. */
export const message = (channel: number, data: string | Buffer) =>
  Buffer.concat([Buffer.from([channel]), Buffer.from(data)]);

export interface Capture {
  /** What the client sent after its request head. */
  client: Buffer;
  /** What the server sent, its 101 response head first. */
  server: Buffer;
}

/**
 * A real WebSocket session between `ws` peers through a TCP tap that keeps the bytes each way:
 * the client's frames masked, the server's not, lengths and fragments as `ws` writes them.
 */
export async function captureWebSocket(options: {
  protocol: string;
  deflate?: boolean;
  client(ws: WebSocket): void;
  server(ws: WebSocket): void;
}): Promise<Capture> {
  const wss = new WebSocketServer({
    port: 0,
    host: "127.0.0.1",
    perMessageDeflate: options.deflate ?? false,
    handleProtocols: () => options.protocol,
  });
  await once(wss, "listening");
  wss.on("connection", (ws) => options.server(ws));
  const fromClient: Buffer[] = [];
  const fromServer: Buffer[] = [];
  const closed: Promise<unknown>[] = [];
  const tap = createServer((inbound: Socket) => {
    const outbound = connect((wss.address() as AddressInfo).port, "127.0.0.1");
    inbound.on("data", (chunk: Buffer) => fromClient.push(Buffer.from(chunk)));
    outbound.on("data", (chunk: Buffer) => fromServer.push(Buffer.from(chunk)));
    inbound.pipe(outbound).pipe(inbound);
    closed.push(once(inbound, "close"), once(outbound, "close"));
  });
  tap.listen(0, "127.0.0.1");
  await once(tap, "listening");
  const ws = new WebSocket(`ws://127.0.0.1:${(tap.address() as AddressInfo).port}/`, [options.protocol], {
    perMessageDeflate: options.deflate ?? false,
  });
  ws.on("open", () => options.client(ws));
  await once(ws, "close");
  await Promise.all(closed);
  tap.close();
  wss.close();
  const client = Buffer.concat(fromClient);
  return { client: client.subarray(client.indexOf("\r\n\r\n") + 4), server: Buffer.concat(fromServer) };
}
