import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { connect } from "node:tls";
import { WebSocket } from "ws";
import { kubeRequest } from "../../../tools/stand-in/client.ts";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import { ensureNamespace, pod, serviceAccountToken } from "./fixtures.ts";

interface Session {
  stdout: string;
  stderr: string;
  status: Record<string, unknown> | undefined;
}

function request(line: string, token: string, headers: string[]): string {
  return [`${line} HTTP/1.1`, "Host: localhost", `Authorization: Bearer ${token}`, ...headers, "", ""].join(
    "\r\n",
  );
}

/** A TLS connection for upgrades that client libraries will not make (SPDY, non-token subprotocols). */
function rawConnection(standIn: StandIn) {
  const socket = connect({
    host: "127.0.0.1",
    port: Number(new URL(standIn.url).port),
    ca: standIn.caCert,
    servername: "localhost",
  });
  let received = Buffer.alloc(0);
  let headEnd = -1;
  socket.on("data", (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
  });
  const until = async (ready: () => boolean) => {
    for (let i = 0; i < 300 && !ready(); i++) await new Promise((r) => setTimeout(r, 10));
  };
  return {
    socket,
    head: async () => {
      await until(() => received.includes("\r\n\r\n"));
      headEnd = received.indexOf("\r\n\r\n") + 4;
      return received.subarray(0, headEnd).toString("latin1");
    },
    body: async (length: number) => {
      await until(() => received.length >= headEnd + length);
      return received.subarray(headEnd);
    },
  };
}

describe("stand-in exec and upgrades", () => {
  let standIn: StandIn;

  const execUrl = (command: string[], query = "stdout=true&stderr=true") =>
    `${standIn.url.replace("https", "wss")}/api/v1/namespaces/x/pods/box/exec?${command.map((c) => `command=${encodeURIComponent(c)}`).join("&")}&${query}`;

  const openSocket = (url: string, protocols: string[], token = standIn.adminToken) =>
    new WebSocket(url, protocols, { ca: standIn.caCert, headers: { authorization: `Bearer ${token}` } });

  /** Runs one exec over WebSocket; `stdin` chunks are sent, then (v5) the close signal. */
  const exec = (
    command: string[],
    options: { stdin?: string[]; protocol?: string; token?: string } = {},
  ): Promise<Session> =>
    new Promise((resolve, reject) => {
      const query = `stdin=${options.stdin ? "true" : "false"}&stdout=true&stderr=true&tty=false`;
      const ws = openSocket(
        execUrl(command, query),
        [options.protocol ?? "v5.channel.k8s.io"],
        options.token,
      );
      const session: Session = { stdout: "", stderr: "", status: undefined };
      ws.on("open", () => {
        for (const chunk of options.stdin ?? [])
          ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(chunk)]));
        if (options.stdin && ws.protocol === "v5.channel.k8s.io") ws.send(Buffer.from([255, 0]));
      });
      ws.on("message", (data: Buffer) => {
        const text = data.subarray(1).toString();
        if (data[0] === 1) session.stdout += text;
        if (data[0] === 2) session.stderr += text;
        if (data[0] === 3) session.status = JSON.parse(text);
      });
      ws.on("close", () => resolve(session));
      ws.on("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.on("error", reject);
    });

  before(async () => {
    standIn = await startStandIn();
    ensureNamespace(standIn, "x");
    standIn.store.create(pod("x", "box"));
  });
  after(() => standIn.close());

  it("runs echo over v5.channel.k8s.io and reports Success on channel 3", async () => {
    const session = await exec(["echo", "hello", "world"]);
    assert.equal(session.stdout, "hello world\n");
    assert.deepEqual(session.status, { metadata: {}, status: "Success" });
  });

  it("echoes stdin through cat until the client closes stdin", async () => {
    const session = await exec(["cat"], { stdin: ["one\n", "two\n"] });
    assert.equal(session.stdout, "one\ntwo\n");
    assert.deepEqual(session.status, { metadata: {}, status: "Success" });
  });

  it("speaks v4.channel.k8s.io too", async () => {
    const session = await exec(["echo", "v4"], { protocol: "v4.channel.k8s.io" });
    assert.equal(session.stdout, "v4\n");
  });

  it("reports a non-zero exit as NonZeroExitCode with the ExitCode cause", async () => {
    for (const command of [["sh", "-c", "exit 3"], ["false"]]) {
      const code = command[0] === "false" ? "1" : "3";
      const session = await exec(command);
      assert.equal(session.status?.status, "Failure");
      assert.equal(session.status?.reason, "NonZeroExitCode");
      assert.deepEqual(session.status?.details, { causes: [{ reason: "ExitCode", message: code }] });
    }
  });

  it("prints the authenticated user with whoami", async () => {
    const token = await serviceAccountToken(standIn, "x", "operator", { clusterRole: "edit" });
    assert.equal((await exec(["whoami"], { token })).stdout, "system:serviceaccount:x:operator\n");
  });

  it("refuses exec without pods/exec create (403) and a plain GET (400)", async () => {
    const viewer = await serviceAccountToken(standIn, "x", "viewer", { clusterRole: "view" });
    await assert.rejects(exec(["echo"], { token: viewer }), /HTTP 403/);
    const plain = await kubeRequest(standIn, "/api/v1/namespaces/x/pods/box/exec?command=echo", {
      token: standIn.adminToken,
    });
    assert.equal(plain.status, 400);
    assert.equal(plain.json().message, "Upgrade request required");
    await assert.rejects(
      new Promise((resolve, reject) => {
        const ws = openSocket(execUrl(["echo"]).replace("/box/", "/missing/"), ["v5.channel.k8s.io"]);
        ws.on("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
        ws.on("open", resolve);
      }),
      /HTTP 404/,
    );
  });

  it("ends a running exec when its pod is deleted", async () => {
    standIn.store.create(pod("x", "doomed"));
    const ws = openSocket(execUrl(["sleep", "30"]).replace("/box/", "/doomed/"), ["v5.channel.k8s.io"]);
    let status = "";
    ws.on("message", (data: Buffer) => {
      if (data[0] === 3) status = data.subarray(1).toString();
    });
    await new Promise((resolve) => ws.on("open", resolve));
    standIn.store.delete("pods", { namespace: "x", name: "doomed" });
    await new Promise((resolve) => ws.on("close", resolve));
    assert.match(status, /"message":"137"/);
  });

  it("answers a SPDY/3.1 upgrade with 101 and echoes raw bytes", async () => {
    const raw = rawConnection(standIn);
    raw.socket.write(
      request(
        "POST /api/v1/namespaces/x/pods/box/exec?command=sh&stdin=true&stdout=true",
        standIn.adminToken,
        [
          "Connection: Upgrade",
          "Upgrade: SPDY/3.1",
          "X-Stream-Protocol-Version: v4.channel.k8s.io",
          "X-Stream-Protocol-Version: v3.channel.k8s.io",
          "Content-Length: 0",
        ],
      ),
    );
    const head = await raw.head();
    assert.match(head, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(head, /\r\nUpgrade: SPDY\/3\.1\r\n/i);
    assert.match(head, /\r\nX-Stream-Protocol-Version: v4\.channel\.k8s\.io\r\n/i);
    const payload = Buffer.from([0x80, 0x03, 0x00, 0x01, 0xff, 0x00, 0x10, 0x42]);
    raw.socket.write(payload);
    assert.deepEqual(await raw.body(payload.length), payload);
    raw.socket.destroy();
  });

  it("serves WebSocket port-forward: tunnelled SPDY (not an RFC token, so raw) and the channel protocol", async () => {
    const path = "/api/v1/namespaces/x/pods/box/portforward?ports=8080";
    const raw = rawConnection(standIn);
    raw.socket.write(
      request(`GET ${path}`, standIn.adminToken, [
        "Connection: Upgrade",
        "Upgrade: websocket",
        `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io",
      ]),
    );
    const head = await raw.head();
    assert.match(head, /^HTTP\/1\.1 101 /);
    assert.match(head, /\r\nSec-WebSocket-Protocol: SPDY\/3\.1\+portforward\.k8s\.io\r\n/);
    const mask = randomBytes(4);
    // A SPDY/3 PING (id 1) in one binary message: the server answers it with the same frame.
    const data = Buffer.from([0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01]);
    raw.socket.write(
      Buffer.concat([Buffer.from([0x82, 0x80 | data.length]), mask, data.map((b, i) => b ^ mask[i % 4]!)]),
    );
    assert.deepEqual(
      await raw.body(2 + data.length),
      Buffer.concat([Buffer.from([0x82, data.length]), data]),
    );
    raw.socket.destroy();

    const channels = openSocket(`${standIn.url.replace("https", "wss")}${path}`, ["v4.channel.k8s.io"]);
    const frames: Buffer[] = [];
    channels.on("message", (frame: Buffer) => frames.push(frame));
    await new Promise((resolve) => channels.on("open", resolve));
    channels.send(Buffer.concat([Buffer.from([0]), Buffer.from("ping")]));
    for (let i = 0; i < 100 && frames.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    const port = Buffer.from([0x90, 0x1f]); // 8080, little-endian
    assert.deepEqual(frames.slice(0, 2), [
      Buffer.concat([Buffer.from([0]), port]),
      Buffer.concat([Buffer.from([1]), port]),
    ]);
    assert.equal(frames[2]?.subarray(1).toString(), "ping");
    channels.close();
  });
});
