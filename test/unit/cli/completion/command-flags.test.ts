import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ParseArgsOptionsConfig } from "node:util";
import { COMMANDS } from "../../../../src/cli/commands.ts";
import { commandFlags } from "../../../../src/cli/completion/command-flags.ts";
import { completions } from "../../../../src/cli/completion/complete.ts";
import { fakeContext } from "../../../support/fakes/fake-cli-context.ts";

/**
 * Completion offers each command's flags from a declaration: the module's `flags` (the object
 * its run() parses with), or for the two commands that still parse inline declarations a copy
 * in completion/command-flags.ts. These tests run every command's own parser against that
 * declaration, both ways: each declared flag parses, with its type (a string takes a value, a
 * boolean none) and its short form; every flag name known anywhere (any command's declaration,
 * any usage text) that a command does not declare is refused by it as unknown, and so is every
 * single letter it does not declare as a short form.
 *
 * Two stray arguments come before the flags under test: a parser that accepts the flags stops
 * at `unexpected argument "stray-…"`, before the command does anything else.
 */
const STRAY = ["stray-1", "stray-2"];
/** Words before the flags: audit's mode, report's kind, sessions' action. */
const LEADING: Record<string, string[]> = { audit: ["tail"], report: ["rbac"], sessions: ["list"] };
const ACCEPTED = /^unexpected argument "stray-\d"$/;
const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

async function declared(command: string): Promise<ParseArgsOptionsConfig> {
  return commandFlags(await COMMANDS[command]!.load());
}

/** What the command's parser says of `words` (after its leading words and the strays). */
async function parsed(command: string, words: string[]): Promise<string> {
  const { ctx } = fakeContext();
  const module = await COMMANDS[command]!.load();
  try {
    await module.run([...(LEADING[command] ?? []), ...STRAY, ...words], ctx);
  } catch (err) {
    return (err as Error).message;
  }
  return "(no error)";
}

describe("the flags completion offers are the flags each command parses", () => {
  const names = Object.keys(COMMANDS);

  it("every declared flag parses, with its type and its short form", async () => {
    for (const command of names) {
      for (const [name, option] of Object.entries(await declared(command))) {
        const string = option.type === "string";
        const what = `${command} --${name} (${option.type})`;
        assert.match(await parsed(command, string ? [`--${name}=x`] : [`--${name}`]), ACCEPTED, what);
        assert.match(
          await parsed(command, string ? [`--${name}`] : [`--${name}=x`]),
          string ? /argument missing/ : /does not take an argument/,
          what,
        );
        if (option.short) {
          const short = `-${option.short}`;
          assert.match(await parsed(command, string ? [short, "x"] : [short]), ACCEPTED, `${what} ${short}`);
        }
      }
    }
  });

  it("flags and short forms not declared are unknown to the command", async () => {
    const universe = new Set<string>();
    for (const command of names) {
      for (const name of Object.keys(await declared(command))) universe.add(name);
      const { usage } = await COMMANDS[command]!.load();
      for (const [, name] of usage.matchAll(/--([a-z][a-z-]*)/g)) universe.add(name!);
    }
    assert.ok(universe.size > 30, `the flags of every command and of every usage: ${[...universe]}`);
    for (const command of names) {
      const flags = await declared(command);
      for (const name of universe) {
        if (name in flags) continue;
        assert.equal(
          await parsed(command, [`--${name}`]),
          `Unknown option '--${name}'`,
          `${command} takes --${name}, but completion does not know it`,
        );
      }
      const shorts = new Set(Object.values(flags).map((option) => option.short));
      for (const letter of LETTERS) {
        if (shorts.has(letter)) continue;
        assert.equal(
          await parsed(command, [`-${letter}`]),
          `Unknown option '-${letter}'`,
          `${command} takes -${letter}, but completion does not know it`,
        );
      }
    }
  });

  it("completion offers exactly the declared flags, long and short", async () => {
    const { ctx } = fakeContext();
    for (const command of names) {
      const flags = await declared(command);
      const expected = Object.entries(flags).flatMap(([name, option]) => [
        `--${name}`,
        ...(option.short ? [`-${option.short}`] : []),
      ]);
      const { candidates } = await completions([command, ...(LEADING[command] ?? []), "-"], ctx);
      assert.deepEqual(candidates.map((c) => c.value).sort(), expected.sort(), command);
    }
  });

  it("each command's usage describes only flags it declares", async () => {
    for (const command of names) {
      const flags = await declared(command);
      const { usage } = await COMMANDS[command]!.load();
      for (const line of usage.split("\n").filter((l) => /^\s+-/.test(l)))
        for (const [, name] of line.matchAll(/--([a-z][a-z-]*)/g))
          assert.ok(name! in flags, `${command}'s usage describes --${name}, which it does not declare`);
    }
  });
});
