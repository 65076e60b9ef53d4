import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Drain } from "../../../src/http/drain.ts";

/**
 * A plain server on loopback that tracks its requests with `drain`; `slow` answers after
 * 300 ms. `received` resolves once a request has arrived (a sleep would race a busy machine).
 */
async function serve(drain: Drain): Promise<{ server: Server; url: string; received: Promise<void> }> {
  let arrived: () => void = () => {};
  const received = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const server = createServer((req, res) => {
    drain.track(req, res);
    arrived();
    const answer = () => res.end(drain.draining ? "draining" : "ok");
    if (req.url === "/slow") setTimeout(answer, 300);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

describe("drain", () => {
  it("lets a request under way finish, then refuses new connections", async () => {
    const drain = new Drain();
    const { server, url, received } = await serve(drain);
    const slow = fetch(`${url}/slow`);
    await received;
    const drained = drain.drain(server, { timeoutMs: 5000, endStreams: () => 0 });
    const res = await slow;
    assert.equal(await res.text(), "draining");
    assert.equal(res.headers.get("connection"), "close");
    const { cut } = await drained;
    assert.equal(cut, 0);
    await assert.rejects(fetch(`${url}/`), "the listener is closed");
  });

  it("keeps accepting for the delay, each answer closing its connection", async () => {
    const drain = new Drain();
    const { server, url } = await serve(drain);
    const drained = drain.drain(server, { timeoutMs: 5000, delayMs: 400, endStreams: () => 0 });
    await sleep(100);
    const res = await fetch(`${url}/`);
    assert.equal(await res.text(), "draining", "still served while the balancer catches up");
    assert.equal(res.headers.get("connection"), "close");
    await drained;
    await assert.rejects(fetch(`${url}/`));
  });

  it("lets an answer ended by the drain reach a slow reader whole", async () => {
    const drain = new Drain();
    const body = Buffer.alloc(8 * 1024 * 1024, "x");
    let ending: (() => void) | undefined;
    const server = createServer((req, res) => {
      drain.track(req, res);
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.write("start");
      // A stream the drain ends (as the gateway ends a watch): a large last write.
      ending = () => res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const socket = connect(port, "127.0.0.1");
    socket.write("GET / HTTP/1.1\r\nhost: x\r\n\r\n");
    await new Promise<void>((resolve) => socket.once("data", () => resolve()));
    socket.pause();
    const drained = drain.drain(server, {
      timeoutMs: 10_000,
      endStreams: () => {
        ending!();
        return 1;
      },
    });
    // The reader comes back only after several sweeps would have closed the connection.
    await sleep(400);
    let received = 0;
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
    });
    socket.resume();
    await new Promise((resolve) => socket.once("close", resolve));
    await drained;
    assert.ok(received >= body.length, `received ${received} of ${body.length} bytes`);
  });

  it("cuts what outlasts the timeout, and says how many", async () => {
    const drain = new Drain();
    const { server, url, received } = await serve(drain);
    const slow = fetch(`${url}/slow`).catch(() => "cut");
    await received;
    const { cut } = await drain.drain(server, { timeoutMs: 100, endStreams: () => 0 });
    assert.equal(cut, 1);
    assert.equal(await slow, "cut");
  });
});
