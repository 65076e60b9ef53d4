import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { flagHelp } from "../../../../src/cli/completion/flag-help.ts";
import { runCli } from "../../../../src/cli/run-cli.ts";
import { fakeContext } from "../../../support/fakes/fake-cli-context.ts";

describe("kubectl broker completion SHELL", () => {
  it("prints a script for each shell that asks kubectl-broker __complete", async () => {
    for (const [shell, registers] of [
      ["bash", "complete -o default -F _kubectl_broker kubectl-broker"],
      ["zsh", "compdef _kubectl_broker kubectl-broker"],
      ["fish", "complete -c kubectl-broker -f -a '(__kubectl_broker_complete)'"],
    ] as const) {
      const { ctx, printed } = fakeContext();
      assert.equal(await runCli(["completion", shell], ctx), 0);
      assert.ok(printed.stdout.includes(registers), shell);
      assert.ok(printed.stdout.includes("__complete"), shell);
      assert.equal(printed.stderr, "");
    }
  });

  it("refuses another shell, or none, as a usage error", async () => {
    const { ctx, printed } = fakeContext();
    assert.equal(await runCli(["completion", "tcsh"], ctx), 2);
    assert.equal(printed.stderr, 'kubectl-broker: completion needs bash, zsh or fish, not "tcsh"\n');
    assert.equal(await runCli(["completion"], ctx), 2);
    assert.equal(printed.stdout, "");
  });
});

describe("what a usage text says of each flag", () => {
  it("takes the first line of a flag's description, a parenthesis it leaves open cut off", () => {
    const usage = `kubectl broker thing --cluster C [-n N]

Does a thing.

  --cluster C                   the broker's cluster name
  -n, --namespace N             a namespace the thing reaches (repeat for more; the first is
                                the default)
  --keep                        keep it
  --type a|b, --phase start|end     filters (exact match)
  -o wide                       not a description of -o: "wide" is no placeholder
  kubectl broker thing --keep   an example, not a flag`;
    const flags = {
      cluster: { type: "string" },
      namespace: { type: "string", short: "n" },
      keep: { type: "boolean" },
      type: { type: "string" },
      phase: { type: "string" },
      output: { type: "string", short: "o" },
    } as const;
    assert.deepEqual(Object.fromEntries(flagHelp(usage, flags)), {
      cluster: "the broker's cluster name",
      namespace: "a namespace the thing reaches",
      keep: "keep it",
      type: "filters (exact match)",
      phase: "filters (exact match)",
    });
  });
});
