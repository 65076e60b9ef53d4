import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { oneLineFailure, startCli } from "./cli-process.ts";
import { useDeveloper } from "./developer.ts";

const FAKE_BROWSER = new URL("./fake-browser.ts", import.meta.url).pathname;
/** audit tail's line for `kubectl get pods`: time, user, command, verb, resource, name, namespace, status, result. */
const LINE =
  /^\d{4}-\d\d-\d\dT\S+Z {2}dev@example\.com {2}kubectl get {2}list {2}pods {2}- {2}team-a {2}200 {2}allowed$/m;
/** The same record in audit query's table. */
const ROW = /^\d{4}-\d\d-\d\dT\S+Z +dev@example\.com +kubectl get +list +pods +- +team-a +200 +allowed$/m;

/** The audit trail from the CLI (tail, query, export), and what logout leaves behind. */
describe("kubectl broker audit, and logout", () => {
  const developer = useDeveloper();
  let kubeconfig: string;

  before(async () => {
    assert.equal((await developer().login()).code, 0);
    kubeconfig = await developer().kubeconfig("team-a");
  });

  const getPods = async () => {
    const result = await developer().kubectl.run(kubeconfig, ["get", "pods"]);
    assert.equal(result.code, 0, result.stderr);
  };

  it("tail follows new records: a line per request, or JSON lines", async () => {
    const { stack, env } = developer();
    const text = startCli(["audit", "tail", "--server", stack.url, "--resource", "pods"], env);
    const json = startCli(["audit", "tail", "--server", stack.url, "-o", "json"], env);
    try {
      await text.waitFor(/following the audit trail/);
      await json.waitFor(/following the audit trail/);
      await getPods();
      await text.waitFor(LINE, "stdout");
      const [line] = await json.waitFor(/^\{.*"phase":"end".*"resource":"pods".*\}$/m, "stdout");
      const record = JSON.parse(line);
      assert.equal(record.verb, "list");
      assert.equal(record.decision, "allowed");
      assert.doesNotMatch(text.stdout(), /start/, "one line per request: its end record");
    } finally {
      text.process.kill("SIGINT");
      json.process.kill("SIGINT");
    }
  });

  it("tail carries on across a broker restart, resuming where it was", async () => {
    const { stack, env } = developer();
    const tail = startCli(["audit", "tail", "--server", stack.url, "--resource", "pods"], env);
    try {
      await tail.waitFor(/following the audit trail/);
      await getPods();
      await tail.waitFor(LINE, "stdout");
      await stack.restartBroker();
      await tail.waitFor(/audit stream interrupted; reconnecting/);
      await getPods();
      const deadline = Date.now() + 15_000;
      while ((tail.stdout().match(new RegExp(LINE, "gm")) ?? []).length < 2) {
        assert.ok(
          Date.now() < deadline,
          `no second line after the restart: ${tail.stdout()} ${tail.stderr()}`,
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal((tail.stdout().match(new RegExp(LINE, "gm")) ?? []).length, 2, "nothing shown twice");
    } finally {
      tail.process.kill("SIGINT");
    }
  });

  it("query pages through the past; export writes every record as JSON lines", async () => {
    await getPods();
    const query = await developer().cli(["audit", "query", "--since", "10m", "--resource", "pods"]);
    assert.equal(query.code, 0, query.stderr);
    assert.match(query.stdout, /^TIME +USER +COMMAND +VERB +RESOURCE +NAME +NAMESPACE +STATUS +RESULT\n/);
    assert.match(query.stdout, ROW);
    const limited = await developer().cli(["audit", "query", "--since", "10m", "--limit", "1"]);
    assert.equal(limited.stdout.trim().split("\n").length, 2, "the header and one record");
    assert.match(limited.stderr, /showing the first 1 records/);

    const exported = await developer().cli(["audit", "export", "--resource", "pods"]);
    assert.equal(exported.code, 0, exported.stderr);
    const records = exported.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    assert.ok(records.some((r) => r.phase === "start") && records.some((r) => r.phase === "end"));
    assert.ok(records.every((r) => r.user === "dev@example.com"));

    const bad = await developer().cli(["audit", "query", "--decision", "maybe"]);
    assert.match(
      oneLineFailure(bad),
      /^kubectl-broker: query parameter "decision": must be one of allowed, /,
    );
  });

  it("logout ends the session and forgets tokens; kubectl then says to log in and opens no browser", async () => {
    const { kubectl, paths } = developer();
    // The plugin must not reach for a browser even where one could be opened.
    const record = join(kubectl.dir, "browser.only-record");
    const config = parse(readFileSync(kubeconfig, "utf8"));
    config.users[0].user.exec.env = [
      { name: "BROWSER", value: `${process.execPath} ${FAKE_BROWSER} ${record} %s` },
      { name: "DISPLAY", value: ":0" },
    ];
    writeFileSync(kubeconfig, stringify(config), { mode: 0o600 });

    const out = await developer().cli(["logout"]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /^Signed out of https:\/\/127\.0\.0\.1:\d+\.$/m);
    assert.equal(existsSync(paths.session), false);
    assert.equal(existsSync(paths.token("team-a")), false);

    const denied = await kubectl.run(kubeconfig, ["get", "pods"]);
    assert.notEqual(denied.code, 0);
    assert.match(
      denied.stderr,
      /kubectl-broker: not signed in to kube-broker at \S+; run kubectl broker login/,
    );
    assert.equal(existsSync(record), false);

    const whoami = await developer().cli(["whoami"]);
    assert.match(oneLineFailure(whoami), /not signed in .* run kubectl broker login$/);
    assert.equal((await developer().cli(["logout"])).code, 0, "logging out twice is fine");
  });
});
