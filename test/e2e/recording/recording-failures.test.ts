/**
 * When recording cannot be done, and hostile input: a required recording refuses an exec
 * while Redis is away and cuts a session that can no longer be written; the size cap truncates
 * a recording without touching the session; malformed frames leave an incomplete recording
 * and a gateway that goes on serving everyone else. Audit is buffered here, so that Redis
 * being away refuses nothing but what recording refuses.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import WebSocket from "ws";
import type { RecordingMeta } from "../../../src/recording/index.ts";
import { parseCast } from "../../../src/shared/asciicast.ts";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { type KubectlTerminal, kubectlInTerminal } from "../../../tools/stand-in/kubectl-terminal.ts";
import { bearer } from "../../support/login.ts";
import { STANDING_EDIT, type Stack, startStack } from "../../support/stack.ts";
import { until } from "../console/console-browser.ts";

const run = promisify(execFile);

describe("session recording when it cannot be done, and hostile input", {
  skip: !!process.env.REDIS_URL,
  timeout: 180_000,
}, () => {
  let stack: Stack;
  let kubectl: KubectlSandbox;
  let dev: string;
  let token: string;
  let kubeconfig: string;
  const terminals: KubectlTerminal[] = [];

  before(async () => {
    stack = await startStack({
      config: ({ dir }) => ({
        ...STANDING_EDIT(),
        roles: [
          { name: "view", clusterRole: "view", maxTtl: "8h" },
          { name: "edit", clusterRole: "edit", maxTtl: "4h", recording: "required" },
        ],
        recording: { maxSessionBytes: "8Ki" },
        audit: { mode: "buffered", writeTimeout: 1, spool: { path: join(dir, "spool.jsonl") } },
      }),
    });
    kubectl = await kubectlSandbox();
    dev = await stack.login("dev");
    ({ token } = await stack.credential(dev, { role: "edit", namespace: "team-a" }));
    kubeconfig = await stack.gatewayKubeconfig("dev-required", token, "team-a");
  });
  after(async () => {
    for (const terminal of terminals) await terminal.close();
    await kubectl?.cleanup();
    await stack?.close();
  });

  const recordings = async (query: string) => {
    const res = await fetch(`${stack.url}/v1/recordings?${query}`, { headers: bearer(dev) });
    return ((await res.json()) as { items: RecordingMeta[] }).items;
  };
  const castOf = async (id: string) =>
    (await fetch(`${stack.url}/v1/recordings/${id}/cast`, { headers: bearer(dev) })).text();
  const exec = (...command: string[]) => kubectl.run(kubeconfig, ["exec", "web-1", "--", ...command]);
  /** Recorded sessions work again once the broker's connections to Redis are back. */
  const backAfterRedis = () =>
    until(
      "a recorded exec after Redis is back",
      async () => {
        const result = await exec("echo", "recorded again");
        return result.code === 0 ? result : undefined;
      },
      15_000,
    );

  it("required: an exec is refused with the reason while Redis is away, and works once it is back", async () => {
    const before = await exec("echo", "recorded");
    assert.equal(before.code, 0, before.stderr);
    await stack.redis.stop();
    try {
      // Longer than the gateway caches a grant: it is served from memory, as buffered audit does.
      await new Promise((r) => setTimeout(r, 2500));
      const listed = await kubectl.run(kubeconfig, ["get", "pods", "-o", "name"]);
      assert.equal(listed.code, 0, `the gateway still serves what need not be recorded: ${listed.stderr}`);
      const refused = await exec("echo", "not recorded");
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /this session must be recorded, and its recording cannot be started now/);
      assert.doesNotMatch(refused.stdout, /not recorded/, "the command did not run");
    } finally {
      await stack.redis.start();
    }
    assert.equal((await backAfterRedis()).stdout, "recorded again\n");
  });

  it("required: a session whose recording can no longer be written is ended, saying why", async () => {
    const terminal = await kubectlInTerminal(
      kubectl.invocation(kubeconfig, ["exec", "-it", "web-1", "--", "sh"], {}),
    );
    terminals.push(terminal);
    await terminal.waitFor(/^\/ #/m);
    await stack.redis.stop();
    try {
      await terminal.type("echo typed while Redis is away");
      await terminal.press("Enter");
      assert.notEqual(await terminal.exitCode(15_000), 0);
      assert.match(await terminal.screen(), /the session recording could not be written/);
    } finally {
      await stack.redis.start();
    }
    await backAfterRedis();
  });

  it("the size cap truncates the recording, says so, and leaves the session whole", async () => {
    const big = join(kubectl.dir, "big.txt");
    const text = `${"a line of a long file\n".repeat(3000)}the end\n`;
    await writeFile(big, text);
    const copied = await kubectl.run(kubeconfig, ["cp", big, "team-a/web-1:/tmp/big.txt"]);
    assert.equal(copied.code, 0, copied.stderr);
    const since = new Date().toISOString();
    const shown = await exec("cat", "/tmp/big.txt");
    assert.equal(shown.stdout, text, "the session got all of it");
    const recording = await until("the capped recording", async () =>
      (await recordings(`since=${since}`)).find(
        (r) => r.command.join(" ") === "cat /tmp/big.txt" && r.state === "ended",
      ),
    );
    assert.equal(recording.truncated, true);
    // The cap counts recorded bytes (what Redis holds, before compression); the cast it plays
    // as adds JSON escapes and event framing, a little over the cap, far under the session.
    assert.ok(recording.bytes <= 8 * 1024, `${recording.bytes} bytes recorded`);
    const cast = await castOf(recording.id);
    assert.ok(Buffer.byteLength(cast) < 10 * 1024, `${Buffer.byteLength(cast)} bytes of cast`);
    assert.match(cast, /"m", "kube-broker: recording truncated at 8192 bytes"/);
    // Still a well-formed file that asciinema reads.
    const file = join(kubectl.dir, "capped.cast");
    await writeFile(file, cast);
    const { stdout } = await run("script", ["-qec", `asciinema cat ${file}`, "/dev/null"]);
    assert.match(stdout, /^a line of a long file/);
  });

  it("malformed frames from a client: an incomplete recording, and everyone else is still served", async () => {
    const since = new Date().toISOString();
    const url = `${stack.url.replace("https", "wss")}/clusters/test/api/v1/namespaces/team-a/pods/web-1/exec?command=cat&stdin=true&stdout=true`;
    const socket = new WebSocket(url, ["v5.channel.k8s.io"], {
      headers: { authorization: `Bearer ${token}` },
      ca: stack.caCert,
    });
    // What the cluster answers to garbage is garbage to ws too: its parse errors are expected.
    socket.on("error", () => {});
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    socket.send(Buffer.concat([Buffer.from([0]), Buffer.from("good line\n")]));
    await new Promise((r) => setTimeout(r, 300));
    // A frame with reserved bits and a reserved opcode, then noise: no WebSocket peer sends this.
    const raw = (socket as unknown as { _socket: { write(b: Buffer): void } })._socket;
    raw.write(Buffer.concat([Buffer.from([0xf3, 0x85]), randomBytes(64)]));
    await new Promise<void>((resolve) => {
      socket.once("close", () => resolve());
      socket.once("error", () => resolve());
      setTimeout(resolve, 5000);
    });
    socket.terminate();

    const recording = await until("the malformed session's recording", async () =>
      (await recordings(`since=${since}`)).find((r) => r.command[0] === "cat" && r.state === "ended"),
    );
    assert.equal(recording.lost, true);
    const cast = parseCast(await castOf(recording.id));
    assert.ok(cast.events.some((e) => e[1] === "i" && e[2].includes("good line")));
    assert.ok(cast.events.some((e) => e[1] === "m" && /could not be decoded/.test(e[2])));

    const listed = await kubectl.run(kubeconfig, ["get", "pods", "-o", "name"]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal((await exec("echo", "still serving")).stdout, "still serving\n");
  });
});
