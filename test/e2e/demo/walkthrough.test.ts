import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { rootCertificates } from "node:tls";
import { Agent, setGlobalDispatcher } from "undici";
import { HeadlessBrowser } from "../../support/browser.ts";
import { freshCliBundle } from "../../support/cli-bundle.ts";

/**
 * The demo as a person walks through it: `npm run demo`'s script started as its own process,
 * then `kubectl broker …` and plain kubectl from "terminals" that sourced DIR/env, as a
 * developer and as an approver. Runs the bundle, rebuilt first if the sources are newer.
 */
describe("npm run demo, walked through", () => {
  let dir: string;
  let demo: ChildProcess;
  let env: Record<string, string>;
  /** The console URL the demo printed. */
  let consoleLine: string | undefined;
  /** The prefix-free gateway's URL the demo printed. */
  let gatewayLine: string | undefined;

  before(async () => {
    freshCliBundle();
    dir = await mkdtemp(join(tmpdir(), "kb-demo-"));
    demo = spawn(process.execPath, ["scripts/demo.ts", "--dir", dir, "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    demo.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    demo.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const deadline = Date.now() + 60_000;
    while (!output.includes("Press Ctrl-C")) {
      if (Date.now() > deadline || demo.exitCode !== null)
        throw new Error(`the demo did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    consoleLine = /web console +(\S+)/.exec(output)?.[1];
    gatewayLine = /gateway +(https:\S+)/.exec(output)?.[1];
    env = {};
    for (const line of (await readFile(join(dir, "env"), "utf8")).split("\n")) {
      const match = /^export (\w+)=(.*)$/.exec(line);
      if (match)
        env[match[1]!] = match[2]!.replace(
          "$PATH",
          [dirname(process.execPath), process.env.PATH].join(delimiter),
        );
    }
    const ca = await readFile(env.KUBE_BROKER_CA_FILE!, "utf8");
    setGlobalDispatcher(new Agent({ connect: { ca: [...rootCertificates, ca] } }));
  });
  after(async () => {
    demo?.kill("SIGTERM");
    await new Promise((r) => demo?.once("exit", r));
    await rm(dir, { recursive: true, force: true });
  });

  /** A terminal that ran `source DIR/env`, as one person (their own HOME). */
  const terminal = (person: string) => {
    const home = join(dir, `home-${person}`);
    const vars = { ...env, HOME: home };
    const run = (command: string, args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(command, args, { env: vars, timeout: 30_000 }, (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
        });
      });
    return {
      kubectl: (...args: string[]) => run("kubectl", args),
      broker: (...args: string[]) => run("kubectl", ["broker", ...args]),
      login: async () => {
        const login = spawn("kubectl", ["broker", "login", "--no-browser"], { env: vars });
        let stderr = "";
        login.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        let url: string | undefined;
        for (let i = 0; i < 200 && !url; i++) {
          url = /https:\/\/\S+\/v1\/login\/start\S+/.exec(stderr)?.[0];
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.ok(url, `login printed its URL: ${stderr}`);
        await new HeadlessBrowser().visit(url, { login: person });
        const code = await new Promise<number>((resolve) => login.once("exit", (c) => resolve(c ?? 1)));
        assert.equal(code, 0, stderr);
      },
    };
  };

  it("login, get pods, request edit, approve, use it, revoke, and the audit shows all of it", async () => {
    const dev = terminal("dev");
    const approver = terminal("approver");
    const admin = terminal("admin");
    assert.equal(consoleLine, `${env.KUBE_BROKER_SERVER}/ui/`, "the demo prints the web console's URL");

    await dev.login();
    const pods = await dev.kubectl("--context", "demo-view", "get", "pods");
    assert.equal(pods.code, 0, pods.stderr);
    assert.match(pods.stdout, /web-1/);
    const second = await dev.kubectl("--context", "demo-2-view", "get", "pods");
    assert.equal(second.code, 0, `the second cluster, same login: ${second.stderr}`);
    assert.match(second.stdout, /web-1/);
    // Both contexts name the prefix-free gateway, so a raw path reaches the cluster itself.
    const servers = await dev.kubectl("config", "view", "-o", "jsonpath={.clusters[*].cluster.server}");
    assert.ok(gatewayLine?.startsWith("https://127.0.0.1:"), `the demo prints its gateway: ${gatewayLine}`);
    assert.deepEqual(servers.stdout.split(" "), [gatewayLine, gatewayLine]);
    const version = await dev.kubectl("--context", "demo-view", "get", "--raw", "/version");
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /"gitVersion"/, "the cluster's /version, not the broker's");

    const denied = await dev.kubectl("--context", "demo-edit", "create", "configmap", "too-early");
    assert.notEqual(denied.code, 0, "edit needs an approved request first");
    assert.match(denied.stderr, /kubectl broker request/);

    const asked = await dev.broker(
      "request",
      "--cluster",
      "demo",
      "--role",
      "edit",
      "-n",
      "team-a",
      "--for",
      "30m",
      "--reason",
      "INC-1",
      "-o",
      "json",
    );
    assert.equal(asked.code, 0, asked.stderr);
    const request = JSON.parse(asked.stdout) as { id: string; state: string };
    assert.equal(request.state, "pending");

    await approver.login();
    const pending = await approver.broker("requests", "--pending");
    assert.match(pending.stdout, new RegExp(request.id));
    const approved = await approver.broker("approve", request.id, "--comment", "ok");
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stderr + approved.stdout, /approved: grant/);

    const made = await dev.kubectl(
      "--context",
      "demo-edit",
      "create",
      "configmap",
      "hello",
      "--from-literal=a=1",
    );
    assert.equal(made.code, 0, made.stderr);

    const grants = JSON.parse((await dev.broker("grants", "-o", "json")).stdout) as {
      items: { id: string; role: string }[];
    };
    const edit = grants.items.find((g) => g.role === "edit");
    assert.ok(edit);
    const revoked = await dev.broker("revoke", edit.id);
    assert.equal(revoked.code, 0, revoked.stderr);
    const after = await dev.kubectl("--context", "demo-edit", "create", "configmap", "too-late");
    assert.notEqual(after.code, 0, "the revoked grant no longer works");

    await admin.login();
    const audit = await admin.broker("audit", "query", "--since", "1h", "-o", "json");
    assert.equal(audit.code, 0, audit.stderr);
    const records = audit.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, string>);
    const events = records.filter((r) => r.type === "lifecycle").map((r) => r.event);
    for (const event of [
      "login",
      "request.created",
      "request.approved",
      "grant.started",
      "grant.ended",
      "token.issued",
    ]) {
      assert.ok(events.includes(event), `the audit has ${event}: ${[...new Set(events)].join(", ")}`);
    }
    const requests = records.filter((r) => r.type === "request" && r.phase === "end");
    const podLists = requests.filter(
      (r) => r.verb === "list" && r.resource === "pods" && r.user === "dev@example.com",
    );
    assert.deepEqual(
      [...new Set(podLists.map((r) => r.cluster))].sort(),
      ["demo", "demo-2"],
      "each cluster named",
    );
    assert.ok(requests.some((r) => r.verb === "create" && r.resource === "configmaps" && r.status === "201"));

    // dev's first requests came from an address never seen for dev: the default rule says so.
    const alerts = await admin.broker("alerts", "-o", "json");
    assert.equal(alerts.code, 0, alerts.stderr);
    const fired = (JSON.parse(alerts.stdout) as { items: { rule: string; record: { user: string } }[] })
      .items;
    assert.ok(
      fired.some((a) => a.rule === "new-source-ip" && a.record.user === "dev@example.com"),
      `alerts: ${fired.map((a) => a.rule).join(", ")}`,
    );
  });

  it("request --wait ends with the approver's denial; a requester can cancel", async () => {
    const dev = terminal("dev");
    const approver = terminal("approver");
    const waiting = dev.broker(
      "request",
      "--cluster",
      "demo",
      "--role",
      "admin",
      "-n",
      "team-b",
      "--for",
      "1h",
      "--reason",
      "INC-2",
      "--wait",
    );
    let id: string | undefined;
    for (let i = 0; i < 100 && !id; i++) {
      const listed = JSON.parse((await approver.broker("requests", "--pending", "-o", "json")).stdout) as {
        items: { id: string; role: string }[];
      };
      id = listed.items.find((r) => r.role === "admin")?.id;
      if (!id) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(id, "the approver sees the pending request");
    const denied = await approver.broker("deny", id, "--comment", "use team-a");
    assert.equal(denied.code, 0, denied.stderr);
    const result = await waiting;
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /was denied by approver@example.com: use team-a/);

    const asked = JSON.parse(
      (
        await dev.broker(
          "request",
          "--cluster",
          "demo",
          "--role",
          "edit",
          "-n",
          "payments",
          "--for",
          "10m",
          "--reason",
          "x",
          "-o",
          "json",
        )
      ).stdout,
    ) as { id: string };
    const canceled = await dev.broker("cancel", asked.id);
    assert.equal(canceled.code, 0, canceled.stderr);
    assert.match(canceled.stderr, /is canceled/);
    const again = await approver.broker("approve", asked.id);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /canceled; it can no longer be approved/);
  });
});
