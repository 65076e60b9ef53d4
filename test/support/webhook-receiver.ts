import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A webhook endpoint on loopback that records what it receives and can fail on purpose. */
export interface WebhookReceiver {
  url: string;
  received: Record<string, unknown>[];
  /** How many requests were answered (failures included). */
  attempts: number;
  /** Answer the next `n` requests with 500. */
  failNext(n: number): void;
  waitFor(
    predicate: (body: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let failures = 0;
  const receiver: WebhookReceiver = {
    url: "",
    received: [],
    attempts: 0,
    failNext: (n) => {
      failures = n;
    },
    waitFor: async (predicate, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = receiver.received.find(predicate);
        if (found) return found;
        if (Date.now() > deadline)
          throw new Error(`no webhook like that; got ${JSON.stringify(receiver.received)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      receiver.attempts++;
      if (failures > 0) {
        failures--;
        res.writeHead(500).end();
        return;
      }
      receiver.received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}
