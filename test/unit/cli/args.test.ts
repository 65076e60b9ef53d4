import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BROKER_FLAGS, OUTPUT_FLAG, parseFlags, required } from "../../../src/cli/args.ts";
import type { UsageError } from "../../../src/cli/cli-error.ts";
import { durationFlag } from "../../../src/cli/duration-flag.ts";
import { runCli } from "../../../src/cli/run-cli.ts";
import { normalizeServer, resolveServer } from "../../../src/cli/server-url.ts";
import { fakeContext } from "../../support/fakes/fake-cli-context.ts";

describe("CLI arguments", () => {
  it("parses the shared flags with a command's own, strictly", () => {
    const { values, positionals } = parseFlags(
      ["--server", "https://b.example", "-o", "json", "--all", "g-1"],
      { ...BROKER_FLAGS, ...OUTPUT_FLAG, all: { type: "boolean" } },
      1,
    );
    assert.deepEqual({ ...values }, { server: "https://b.example", output: "json", all: true });
    assert.deepEqual(positionals, ["g-1"]);
  });

  it("turns parseArgs complaints into one-line usage errors (exit 2)", () => {
    const attempt =
      (args: string[], max = 0) =>
      () =>
        parseFlags(args, BROKER_FLAGS, max);
    assert.throws(
      attempt(["--bogus"]),
      (err: UsageError) => err.exitCode === 2 && err.message === "Unknown option '--bogus'",
    );
    assert.throws(attempt(["--server"]), /argument missing/);
    // A negative window, say: the one-line error says how to pass a value starting with "-".
    assert.throws(
      attempt(["--server", "-5d"]),
      (err: UsageError) =>
        err.message === '--server needs a value; one starting with "-" is written --server=-…',
    );
    assert.throws(attempt(["extra"]), /^CliError: unexpected argument "extra"$/);
    assert.throws(attempt(["a", "b"], 1), /unexpected argument "b"/);
    assert.throws(() => required(undefined, "cluster"), /--cluster is required/);
  });

  it("normalises the broker URL so one broker has one cache entry", () => {
    assert.equal(normalizeServer("https://broker.example.com/"), "https://broker.example.com");
    assert.equal(normalizeServer("https://Broker.Example.com:443/kb//"), "https://broker.example.com/kb");
    assert.throws(() => normalizeServer("broker.example.com"), /must be a URL/);
    assert.throws(() => normalizeServer("ftp://b.example"), /https:\/\/ URL/);
    assert.throws(() => normalizeServer("https://u:p@b.example"), /credentials/);
  });

  it("takes --server, then KUBE_BROKER_SERVER, then the last login's broker", () => {
    const last = () => "https://last.example";
    assert.equal(
      resolveServer("https://flag.example", { KUBE_BROKER_SERVER: "https://env.example" }, last),
      "https://flag.example",
    );
    assert.equal(
      resolveServer(undefined, { KUBE_BROKER_SERVER: "https://env.example" }, last),
      "https://env.example",
    );
    assert.equal(resolveServer(undefined, {}, last), "https://last.example");
    assert.throws(
      () => resolveServer(undefined, {}, () => undefined),
      /pass --server URL or set KUBE_BROKER_SERVER/,
    );
  });

  it("reads durations for flags", () => {
    assert.equal(durationFlag(undefined, "timeout", 5000), 5000);
    assert.equal(durationFlag("2m", "timeout", 0), 120_000);
    assert.throws(() => durationFlag("soon", "timeout", 0), /--timeout must be a duration/);
  });
});

describe("command dispatch", () => {
  it("lists the commands, and shows a command's usage with --help", async () => {
    const { ctx, printed } = fakeContext();
    assert.equal(await runCli([], ctx), 0);
    for (const name of ["login", "credential", "kubeconfig", "ci-token", "grants", "revoke", "audit"]) {
      assert.match(printed.stdout, new RegExp(`^  ${name} `, "m"));
    }
    const help = fakeContext();
    assert.equal(await runCli(["kubeconfig", "--help"], help.ctx), 0);
    assert.match(help.printed.stdout, /^usage: kubectl broker kubeconfig --cluster C --role R/);
  });

  it("refuses an unknown command, and reports a command's failure in one line", async () => {
    const unknown = fakeContext();
    assert.equal(await runCli(["requets"], unknown.ctx), 2);
    assert.equal(
      unknown.printed.stderr,
      'kubectl-broker: unknown command "requets"; run "kubectl broker help" for the list\n',
    );
    const failing = fakeContext();
    assert.equal(await runCli(["grants", "--output", "x"], failing.ctx), 2);
    assert.equal(
      failing.printed.stderr,
      'kubectl-broker: --output must be one of json, yaml, name, jsonpath=TEMPLATE, wide (or left out for a table), not "x"\n',
    );
  });
});
