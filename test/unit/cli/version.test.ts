import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import packageJson from "../../../package.json" with { type: "json" };
import { runCli } from "../../../src/cli/run-cli.ts";
import { freePort } from "../../../tools/free-port.ts";
import { type FakeBroker, fakeBroker, signedInContext } from "../../support/fakes/fake-broker.ts";
import { fakeContext } from "../../support/fakes/fake-cli-context.ts";

const SERVER = { name: "kube-broker", version: "9.8.7", gitCommit: "0123456789abcdef0123", node: "v24.0.0" };

/** The fake context runs the CLI as a script of a checkout (test/support/fakes/fake-cli-context.ts). */
const INSTALLED =
  "Installed as a script outside any package (a checkout), run by Node.js: /opt/kube-broker/dist/kubectl-broker.js (/opt/node24/bin/node)\n";

describe("kubectl broker version", () => {
  let broker: FakeBroker;
  before(async () => {
    broker = await fakeBroker({ "GET /version": { body: SERVER } });
  });
  after(() => broker.close());

  it("prints the client's version and the broker's (the one of the last login)", async () => {
    const { ctx, printed, cleanup } = signedInContext(broker.url);
    try {
      assert.equal(await runCli(["version"], ctx), 0);
      assert.equal(
        printed.stdout,
        `Client Version: ${packageJson.version}\n${INSTALLED}Server Version: 9.8.7 (commit 0123456789ab) at ${broker.url}\n`,
      );
      assert.equal(printed.stderr, "");
      assert.deepEqual(broker.asked.at(-1), { method: "GET", path: "/version", body: undefined });
    } finally {
      cleanup();
    }
  });

  it("-o json and yaml, like kubectl version; other formats are refused", async () => {
    const { ctx, printed } = fakeContext({ KUBE_BROKER_SERVER: broker.url });
    assert.equal(await runCli(["version", "-o", "json"], ctx), 0);
    const versions = JSON.parse(printed.stdout);
    assert.deepEqual(versions.serverVersion, SERVER);
    assert.equal(versions.server, broker.url);
    assert.equal(versions.clientVersion.name, "kubectl-broker");
    assert.equal(versions.clientVersion.version, packageJson.version);
    assert.equal(versions.clientVersion.node, process.version);
    assert.deepEqual(versions.installation, {
      method: "source",
      path: "/opt/kube-broker/dist/kubectl-broker.js",
      node: "/opt/node24/bin/node",
    });

    const yaml = fakeContext();
    assert.equal(await runCli(["--version", "-o", "yaml", "--server", broker.url], yaml.ctx), 0);
    assert.equal(parse(yaml.printed.stdout).serverVersion.version, "9.8.7");

    const name = fakeContext();
    assert.equal(await runCli(["version", "-o", "name"], name.ctx), 2);
    assert.equal(
      name.printed.stderr,
      'kubectl-broker: --output must be one of json, yaml (or left out for text), not "name"\n',
    );
  });

  it("no broker known: the client's version alone; an unreachable one: said on stderr, exit 0", async () => {
    const alone = fakeContext();
    assert.equal(await runCli(["version"], alone.ctx), 0);
    assert.equal(alone.printed.stdout, `Client Version: ${packageJson.version}\n${INSTALLED}`);
    assert.equal(alone.printed.stderr, "");

    const dead = `http://127.0.0.1:${await freePort()}`;
    const away = fakeContext({ KUBE_BROKER_SERVER: dead });
    assert.equal(await runCli(["version", "-o", "json"], away.ctx), 0);
    assert.deepEqual(Object.keys(JSON.parse(away.printed.stdout)), [
      "clientVersion",
      "installation",
      "server",
    ]);
    assert.match(
      away.printed.stderr,
      new RegExp(
        `^kubectl-broker: the broker's version is unknown: cannot reach kube-broker at ${dead}: .*ECONNREFUSED.*\\n$`,
      ),
    );
  });
});
