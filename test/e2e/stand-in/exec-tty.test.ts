import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { type KubectlTerminal, kubectlInTerminal } from "../../../tools/stand-in/kubectl-terminal.ts";

/** kubectl's two transports for exec and attach, and what the stand-in records it negotiated. */
interface Transport {
  name: string;
  env: Record<string, string>;
  upgrade: string;
}
const WEBSOCKET: Transport = { name: "WebSocket", env: {}, upgrade: "websocket v5.channel.k8s.io" };
const SPDY: Transport = {
  name: "SPDY",
  env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: "false" },
  upgrade: "SPDY/3.1 v4.channel.k8s.io",
};
const PROTOCOLS = [WEBSOCKET, SPDY];

const PROMPT = /^\/ #/m;

/**
 * kubectl 1.32's WebSocket client starts reading before it has set up its streams, so the
 * kubelet's empty "connected" message on stdout (which the stand-in sends as the kubelet does)
 * can meet no stream and kubectl logs this. client-go waits for its streams since the fix
 * "Wait until all streams have been created before starting the readDemuxLoop". The line is
 * kubectl's own, about an empty message; anything else on stderr still fails the test.
 */
const withoutKubectlStreamRace = (stderr: string) =>
  stderr.replace(
    /^E\d{4} [\d:.]+ +\d+ websocket\.go:\d+\] "?Unknown stream id \d+, discarding message"?\n/gm,
    "",
  );

const promptCount = (screen: string) => screen.split("\n").filter((line) => PROMPT.test(line)).length;

/** Types a command line and Enter; resolves with the command's echoed line and its output once the next prompt shows. */
async function enter(terminal: KubectlTerminal, line: string): Promise<{ echoed: string; output: string }> {
  const prompts = promptCount(await terminal.screen());
  await terminal.type(line);
  await terminal.press("Enter");
  const lines = (await terminal.waitFor((screen) => promptCount(screen) > prompts)).split("\n");
  const at = lines.findLastIndex((l, i) => i < lines.length - 1 && PROMPT.test(l));
  return { echoed: lines[at]!, output: lines.slice(at + 1, -1).join("\n") };
}

/** `stty size` until it shows `expected`: kubectl sends a new size when SIGWINCH reaches it, which races typing. */
async function sizeBecomes(terminal: KubectlTerminal, expected: string): Promise<string> {
  let shown = "";
  for (let i = 0; i < 20 && shown !== expected; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 100));
    shown = (await enter(terminal, "stty size")).output;
  }
  return shown;
}

describe("interactive exec and attach with real kubectl, over WebSocket and SPDY", () => {
  let standIn: StandIn;
  let kubectl: KubectlSandbox;
  let kubeconfig: string;
  const terminals: KubectlTerminal[] = [];

  const open = async (args: string[], env: Record<string, string>, size = { cols: 100, rows: 30 }) => {
    const terminal = await kubectlInTerminal(kubectl.invocation(kubeconfig, args, env), size);
    terminals.push(terminal);
    return terminal;
  };
  /** What the stand-in negotiated for the requests to `subresource` made since `from`. */
  const upgradesSince = (from: number, subresource: string) =>
    standIn.requests
      .slice(from)
      .filter((r) => r.path.endsWith(`/${subresource}`))
      .map((r) => `${r.method} ${r.status} ${r.upgrade ?? ""}`);

  before(async () => {
    standIn = await startStandIn();
    await standIn.seedDemo();
    // What `kubectl run -it` creates: a container with a stdin and a terminal, which attach needs.
    standIn.store.create({
      kind: "Pod",
      metadata: { name: "console", namespace: "team-a" },
      spec: {
        containers: [{ name: "shell", image: "busybox:1.36", command: ["sh"], stdin: true, tty: true }],
      },
    });
    kubectl = await kubectlSandbox();
    kubeconfig = join(kubectl.dir, "admin.kubeconfig");
    await standIn.writeKubeconfig(kubeconfig);
  });
  after(async () => {
    for (const terminal of terminals) await terminal.close();
    await kubectl?.cleanup();
    await standIn?.close();
  });

  for (const protocol of PROTOCOLS) {
    it(`exec -it sh over ${protocol.name}: prompt, echo, line editing, terminal size and resize, exit code`, async () => {
      const from = standIn.requests.length;
      const terminal = await open(["exec", "-it", "-n", "team-a", "web-1", "--", "sh"], protocol.env);
      await terminal.waitFor(PROMPT);

      assert.deepEqual(await enter(terminal, "echo hello"), { echoed: "/ # echo hello", output: "hello" });
      assert.deepEqual(await enter(terminal, "hostname"), { echoed: "/ # hostname", output: "web-1" });
      assert.equal(
        (await enter(terminal, "stty size")).output,
        "30 100",
        "the size kubectl sent at the start",
      );
      await terminal.resize(120, 40);
      assert.equal(await sizeBecomes(terminal, "40 120"), "40 120", "the size after a resize");

      // A typing mistake corrected with Backspace: the pty rubs out the character on screen and in the line.
      const prompts = promptCount(await terminal.screen());
      await terminal.type("echoo");
      await terminal.press("BSpace");
      await terminal.type(" hi");
      await terminal.press("Enter");
      const corrected = (await terminal.waitFor((screen) => promptCount(screen) > prompts)).split("\n");
      assert.deepEqual(corrected.slice(-3), ["/ # echo hi", "hi", "/ #"]);

      assert.equal(
        (await enter(terminal, "nosuch")).output,
        "sh: nosuch: not found",
        "errors share the terminal",
      );
      assert.equal((await enter(terminal, "cat /etc/hostname")).output, "web-1");
      await terminal.type("exit 3");
      await terminal.press("Enter");
      assert.equal(await terminal.exitCode(), 3, await terminal.screen());
      assert.match(await terminal.screen(), /command terminated with exit code 3$/);
      const expected =
        protocol.name === "SPDY" ? `POST 101 ${protocol.upgrade}` : `GET 101 ${protocol.upgrade}`;
      assert.deepEqual(upgradesSince(from, "exec"), [expected], "one upgrade, of this protocol");
    });

    it(`exec -i sh over ${protocol.name} runs piped lines without prompt or echo, and ends at EOF`, async () => {
      const from = standIn.requests.length;
      const result = await kubectl.run(kubeconfig, ["exec", "-i", "-n", "team-a", "web-1", "--", "sh"], {
        input: "echo a\nhostname\n",
        env: protocol.env,
      });
      assert.deepEqual(
        [result.code, result.stdout, withoutKubectlStreamRace(result.stderr)],
        [0, "a\nweb-1\n", ""],
      );
      const failing = await kubectl.run(kubeconfig, ["exec", "-i", "-n", "team-a", "web-1", "--", "sh"], {
        input: "nosuch\nexit 4\necho never\n",
        env: protocol.env,
      });
      assert.equal(failing.code, 4);
      assert.equal(failing.stdout, "");
      assert.match(
        withoutKubectlStreamRace(failing.stderr),
        /^sh: nosuch: not found\n/,
        "stderr stays apart without a TTY",
      );
      assert.deepEqual(
        upgradesSince(from, "exec").map((u) => u.split(" ").slice(2).join(" ")),
        [protocol.upgrade, protocol.upgrade],
      );
    });
  }

  it("attach -it joins the pod's one main process: over WebSocket, then SPDY; exit ends it, the next attach gets a new one", async () => {
    const [websocket, spdy] = [WEBSOCKET, SPDY];
    const from = standIn.requests.length;
    const first = await open(["attach", "-it", "-n", "team-a", "console"], websocket.env);
    await first.waitFor("If you don't see a command prompt, try pressing enter.");
    await first.press("Enter");
    await first.waitFor(PROMPT);
    assert.deepEqual(await enter(first, "cd /tmp"), { echoed: "/ # cd /tmp", output: "" });
    assert.equal((await enter(first, "stty size")).output, "30 100");
    await first.close(); // kubectl goes away; the container's process keeps running.

    const second = await open(["attach", "-it", "-n", "team-a", "console"], spdy.env, {
      cols: 120,
      rows: 40,
    });
    await second.waitFor("try pressing enter.");
    await second.press("Enter");
    await second.waitFor(PROMPT);
    assert.equal((await enter(second, "pwd")).output, "/tmp", "the same process as the first attach");
    assert.equal(await sizeBecomes(second, "40 120"), "40 120", "the attaching terminal's size");
    assert.equal(
      (await enter(second, "whoami")).output,
      "root",
      "the container's user, not the attaching one",
    );
    await second.type("exit");
    await second.press("Enter");
    assert.equal(await second.exitCode(), 0);
    assert.match(
      await second.screen(),
      /Session ended, resume using 'kubectl attach console -c shell -i -t'/,
    );

    const third = await open(["attach", "-it", "-n", "team-a", "console"], websocket.env);
    await third.waitFor("try pressing enter.");
    await third.press("Enter");
    await third.waitFor(PROMPT);
    assert.equal((await enter(third, "pwd")).output, "/", "a new process after the last one exited");
    await third.type("exit");
    await third.press("Enter");
    assert.equal(await third.exitCode(), 0);

    assert.deepEqual(upgradesSince(from, "attach"), [
      `GET 101 ${websocket.upgrade}`,
      `POST 101 ${spdy.upgrade}`,
      `GET 101 ${websocket.upgrade}`,
    ]);
  });
});
