import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { STANDING_EDIT } from "../../support/stack.ts";
import { oneLineFailure, startCli } from "./cli-process.ts";
import { useDeveloper } from "./developer.ts";

/** `kubectl broker alerts`: what fired about me, as it fires and afterwards. */
describe("kubectl broker alerts", () => {
  const developer = useDeveloper({
    config: () => ({
      ...STANDING_EDIT(),
      alerts: { defaults: { "new-source-ip": { enabled: false } } },
    }),
  });
  let kubeconfig: string;

  before(async () => {
    assert.equal((await developer().login()).code, 0);
    kubeconfig = await developer().kubeconfig("team-a", "edit");
  });

  it("-w shows an alert as it fires; the list and -o json show it afterwards", async () => {
    const { stack, env, cli } = developer();
    const watch = startCli(["alerts", "-w", "--server", stack.url], env);
    try {
      await watch.waitFor(/following alerts/);
      const secrets = await developer().kubectl.run(kubeconfig, ["get", "secrets"]);
      assert.equal(secrets.code, 0, secrets.stderr);
      await watch.waitFor(
        /^\d{4}-\d\d-\d\dT\S+Z {2}warning {2}secret-read {2}dev@example\.com {2}test {2}team-a {2}list secrets \(allowed\)$/m,
        "stdout",
      );
    } finally {
      watch.process.kill("SIGINT");
    }
    const table = await cli(["alerts", "--server", stack.url]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^AGE +SEVERITY +RULE +USER +CLUSTER +NAMESPACE +WHAT\n/);
    assert.match(
      table.stdout,
      /\d+s ago +warning +secret-read +dev@example\.com +test +team-a +list secrets \(allowed\)/,
    );
    const json = await cli(["alerts", "--server", stack.url, "--severity", "warning", "-o", "json"]);
    const { items } = JSON.parse(json.stdout) as { items: { rule: string; record: { user: string } }[] };
    assert.deepEqual(
      items.map((a) => [a.rule, a.record.user]),
      [["secret-read", "dev@example.com"]],
    );
    const critical = await cli(["alerts", "--server", stack.url, "--severity", "critical"]);
    assert.equal(critical.code, 0);
    assert.equal(critical.stdout, "");
    assert.match(critical.stderr, /No alerts in that time\./);
  });

  it("refusals are one line: a bad flag value, and someone else's alerts", async () => {
    const { stack, cli } = developer();
    assert.match(
      oneLineFailure(await cli(["alerts", "--server", stack.url, "--severity", "loud"])),
      /--severity must be one of info, warning, critical, not "loud"/,
    );
    assert.match(
      oneLineFailure(await cli(["alerts", "--server", stack.url, "--user", "approver@example.com"])),
      /only admins may read alerts about other users/,
    );
    assert.match(
      oneLineFailure(await cli(["alerts", "--server", stack.url, "--since", "yesterday"])),
      /since/,
    );
  });
});
