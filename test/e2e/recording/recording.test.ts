/**
 * Session recording end to end: real kubectl exec -it through the gateway in a terminal (tmux),
 * over WebSocket and over SPDY; the recording holds what was typed and shown, in order and
 * timed; Debian's asciinema reproduces the output; search finds a typed command; a resize is
 * recorded; a revoked grant cuts a recorded session and its recording ends properly.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { RecordingMeta } from "../../../src/recording/index.ts";
import { parseCast } from "../../../src/shared/asciicast.ts";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { type KubectlTerminal, kubectlInTerminal } from "../../../tools/stand-in/kubectl-terminal.ts";
import { bearer } from "../../support/login.ts";
import { STANDING_EDIT, type Stack, startStack } from "../../support/stack.ts";
import { until } from "../console/console-browser.ts";

const run = promisify(execFile);
const PROTOCOLS: { name: string; env: Record<string, string>; protocol: string }[] = [
  { name: "WebSocket", env: {}, protocol: "websocket" },
  { name: "SPDY", env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: "false" }, protocol: "spdy" },
];

describe("recorded exec sessions through the gateway", { timeout: 180_000 }, () => {
  let stack: Stack;
  let kubectl: KubectlSandbox;
  let dev: string;
  let admin: string;
  let kubeconfig: string;
  let grantId: string;
  const terminals: KubectlTerminal[] = [];

  before(async () => {
    stack = await startStack({
      config: ({ dir }) => ({
        ...STANDING_EDIT(),
        // Finished recordings go to the audit export's sink too.
        audit: {
          mode: "fail-closed",
          spool: { path: join(dir, "spool.jsonl") },
          export: { kind: "file", path: join(dir, "export.jsonl") },
        },
        // A rule on typed commands (session.command records), acting on the session's grant.
        alerts: {
          rules: [
            {
              name: "typed-rm-rf",
              severity: "critical",
              description: "someone typed rm -rf in a pod",
              match: { command: ["rm -rf *"] },
              action: "revoke-grant",
            },
          ],
        },
      }),
    });
    kubectl = await kubectlSandbox();
    dev = await stack.login("dev");
    admin = await stack.login("admin");
    const { token, grant } = await stack.credential(dev, { role: "edit", namespace: "team-a" });
    grantId = grant.id;
    kubeconfig = await stack.gatewayKubeconfig("dev-recorded", token, "team-a");
  });
  after(async () => {
    for (const terminal of terminals) await terminal.close();
    await kubectl?.cleanup();
    await stack?.close();
  });

  const api = async <T>(session: string, path: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${stack.url}/v1${path}`, { headers: bearer(session) });
    const text = await res.text();
    return {
      status: res.status,
      body: (res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text) as T,
    };
  };
  const shell = async (env: Record<string, string>) => {
    const terminal = await kubectlInTerminal(
      kubectl.invocation(kubeconfig, ["exec", "-it", "web-1", "--", "sh"], env),
      {
        cols: 100,
        rows: 30,
      },
    );
    terminals.push(terminal);
    await terminal.waitFor(/^\/ #/m);
    return terminal;
  };
  const typeLine = async (terminal: KubectlTerminal, line: string, shows: RegExp) => {
    await terminal.type(line);
    await terminal.press("Enter");
    await terminal.waitFor(shows);
  };
  /** The one recording of dev's sessions started after `since`, once it has ended. */
  const endedRecording = (since: number, protocol: string) =>
    until(
      `an ended ${protocol} recording`,
      async () => {
        const { body } = await api<{ items: RecordingMeta[] }>(
          dev,
          `/recordings?since=${new Date(since).toISOString()}`,
        );
        return body.items.find((r) => r.protocol === protocol && r.state === "ended");
      },
      10_000,
    );

  for (const transport of PROTOCOLS) {
    it(`kubectl exec -it over ${transport.name}: typed, shown, resized, replayed by asciinema, found by search`, async () => {
      const since = Date.now() - 1;
      const terminal = await shell(transport.env);
      const marker = `rec-${transport.protocol}-${Date.now()}`;
      await typeLine(terminal, `echo ${marker}`, new RegExp(`^${marker}`, "m"));
      // A typo fixed with backspace: the typed line is what ran.
      await terminal.type("echoo");
      await terminal.press("BSpace");
      await terminal.type(" fixed");
      await terminal.press("Enter");
      await terminal.waitFor(/^fixed/m);
      await terminal.resize(120, 40);
      await until("the new size in the shell", async () => {
        await typeLine(terminal, "stty size", /\d+ \d+\s*\n.*\/ #\s*$/s);
        return (await terminal.screen()).includes("40 120") ? true : undefined;
      });
      await terminal.type("exit");
      await terminal.press("Enter");
      assert.equal(await terminal.exitCode(), 0);

      const recording = await endedRecording(since, transport.protocol);
      assert.deepEqual(
        {
          user: recording.user,
          grant: recording.grant,
          pod: recording.pod,
          command: recording.command,
          tty: recording.tty,
          ending: recording.ending,
          truncated: recording.truncated,
          lost: recording.lost,
        },
        {
          user: "dev@example.com",
          grant: grantId,
          pod: "web-1",
          command: ["sh"],
          tty: true,
          ending: "Success",
          truncated: false,
          lost: false,
        },
      );
      // The exec request's audit records carry the same id.
      const audit = await api<{ items: { id: string; subresource: string }[] }>(
        admin,
        `/audit?user=dev@example.com&phase=end&since=1m`,
      );
      assert.ok(audit.body.items.some((r) => r.id === recording.id && r.subresource === "exec"));

      const { body: text } = await api<string>(dev, `/recordings/${recording.id}/cast`);
      const cast = parseCast(text);
      assert.deepEqual([cast.header.width, cast.header.height], [100, 30], "the first size, from the header");
      const times = cast.events.map((e) => e[0]);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
        "events in time order",
      );
      assert.ok(times.at(-1)! < (Date.now() - since) / 1000, "within the session's time");
      const typed = cast.events
        .filter((e) => e[1] === "i")
        .map((e) => e[2])
        .join("");
      assert.ok(typed.startsWith(`echo ${marker}\r`), `typed: ${JSON.stringify(typed)}`);
      assert.ok(
        cast.events.some((e) => e[1] === "r" && e[2] === "120x40"),
        "the resize is recorded",
      );
      const shown = cast.events
        .filter((e) => e[1] === "o")
        .map((e) => e[2])
        .join("");
      assert.match(shown, new RegExp(`${marker}\\r\\n`));

      // asciinema (Debian's) reproduces the output exactly; it wants a terminal, so script gives it one.
      const file = join(kubectl.dir, `${recording.id}.cast`);
      await writeFile(file, text);
      const { stdout } = await run("script", ["-qec", `asciinema cat ${file}`, "/dev/null"]);
      assert.equal(stdout.replace(/\r\n/g, "\n"), shown.replace(/\r\n/g, "\n"));

      const found = await api<{ items: { recording: { id: string }; lines: string[] }[] }>(
        dev,
        `/recordings/search?q=${encodeURIComponent(`echo ${marker}`)}`,
      );
      assert.deepEqual(
        found.body.items.map((i) => [i.recording.id, i.lines]),
        [[recording.id, [`echo ${marker}`]]],
      );
      const fixed = await api<{ items: { lines: string[] }[] }>(dev, `/recordings/search?q=echo%20fixed`);
      assert.ok(
        fixed.body.items.some((i) => i.lines.includes("echo fixed")),
        "the backspace was applied",
      );

      // The audit export's file sink received the finished recording, whole.
      const exported = await until("the recording in the export file", async () => {
        const lines = (await readFile(join(stack.dir, "export.jsonl"), "utf8").catch(() => "")).split("\n");
        return lines
          .filter((line) => line.includes('"kind":"session-recording"'))
          .map((line) => JSON.parse(line) as { recording: { id: string }; cast: string })
          .find((r) => r.recording.id === recording.id);
      });
      assert.equal(exported.cast, text);
    });
  }

  it("a revoked grant cuts a recorded session, and the recording ends saying so", async () => {
    const { token, grant } = await stack.credential(dev, { role: "edit", namespace: "team-b" });
    const revokable = await stack.gatewayKubeconfig("dev-revoked", token, "team-b");
    const since = Date.now() - 1;
    const terminal = await kubectlInTerminal(
      kubectl.invocation(revokable, ["exec", "-it", "api-1", "--", "sh"], {}),
      { cols: 80, rows: 24 },
    );
    terminals.push(terminal);
    await terminal.waitFor(/^\/ #/m);
    await typeLine(terminal, "echo before-revoke", /^before-revoke/m);
    const res = await fetch(`${stack.url}/v1/grants/${grant.id}`, { method: "DELETE", headers: bearer(dev) });
    assert.equal(res.status, 200);
    assert.notEqual(await terminal.exitCode(), 0);
    const recording = await until("the cut recording", async () => {
      const { body } = await api<{ items: RecordingMeta[] }>(
        dev,
        `/recordings?namespace=team-b&since=${new Date(since).toISOString()}`,
      );
      return body.items.find((r) => r.state === "ended");
    });
    assert.match(recording.ending ?? "", new RegExp(`grant ${grant.id}.*revoked`));
    const cast = parseCast((await api<string>(dev, `/recordings/${recording.id}/cast`)).body);
    assert.ok(cast.events.some((e) => e[1] === "o" && e[2].includes("before-revoke")));
  });

  it("an alert rule matches a typed command, and its action cuts the recorded session", async () => {
    // team-b's earlier grant was revoked: this is a fresh one.
    const { token, grant } = await stack.credential(dev, { role: "edit", namespace: "team-b" });
    const kubeconfig = await stack.gatewayKubeconfig("dev-rm-rf", token, "team-b");
    const terminal = await kubectlInTerminal(
      kubectl.invocation(kubeconfig, ["exec", "-it", "api-1", "--", "sh"], {}),
      { cols: 80, rows: 24 },
    );
    terminals.push(terminal);
    await terminal.waitFor(/^\/ #/m);
    await typeLine(terminal, "ls", /\/ #.*\n.*\/ #/s);
    await terminal.type("rm -rf /tmp/scratch");
    await terminal.press("Enter");
    assert.notEqual(await terminal.exitCode(15_000), 0, "the session was cut");
    const alerts = await api<{ items: { rule: string; record: { event?: string; detail: string } }[] }>(
      admin,
      "/alerts?rule=typed-rm-rf",
    );
    assert.deepEqual(
      alerts.body.items.map((a) => [a.record.event, a.record.detail]),
      [["session.command", "rm -rf /tmp/scratch"]],
    );
    const ended = await api<{ state: string; endReason?: string }>(admin, `/grants/${grant.id}`);
    assert.equal(ended.body.state, "ended");
  });

  it("admins see every recording, others only theirs; a recording that does not exist is a 404 Status", async () => {
    const oncall = await stack.login("oncall");
    const mine = await api<{ items: RecordingMeta[] }>(dev, "/recordings");
    assert.ok(mine.body.items.length > 0);
    const theirs = await api<{ items: RecordingMeta[] }>(oncall, "/recordings");
    assert.deepEqual(theirs.body.items, []);
    const refused = await api<{ message: string }>(oncall, "/recordings?user=dev@example.com");
    assert.equal(refused.status, 403);
    const hidden = await api<{ message: string }>(oncall, `/recordings/${mine.body.items[0]!.id}/cast`);
    assert.equal(hidden.status, 404);
    const all = await api<{ items: RecordingMeta[] }>(admin, "/recordings");
    assert.ok(all.body.items.length >= mine.body.items.length);
    const missing = await api<{ kind: string; message: string }>(admin, "/recordings/no-such-session");
    assert.equal(missing.status, 404);
    assert.match(missing.body.message, /no recording no-such-session/);
    // Not an id at all (it would escape the key's hash tag): the same answer, nothing read.
    const hostile = await api<{ message: string }>(
      admin,
      `/recordings/${encodeURIComponent("x}:meta")}/cast`,
    );
    assert.equal(hostile.status, 404);
  });

  it("an exec the cluster refuses is recorded as refused, with nothing in it", async () => {
    const { token } = await stack.credential(dev, { role: "view", namespace: "team-a" });
    const viewer = await stack.gatewayKubeconfig("dev-view", token, "team-a");
    const since = new Date().toISOString();
    const refused = await kubectl.run(viewer, ["exec", "web-1", "--", "echo", "not allowed"]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /cannot create resource "pods\/exec"/);
    const recording = await until("the refused session's recording", async () => {
      const { body } = await api<{ items: RecordingMeta[] }>(dev, `/recordings?since=${since}`);
      return body.items.find((r) => r.role === "view" && r.state === "ended");
    });
    assert.equal(recording.ending, "the cluster refused the session (HTTP 403)");
    const cast = parseCast((await api<string>(dev, `/recordings/${recording.id}/cast`)).body);
    assert.deepEqual(cast.events, []);
  });
});
