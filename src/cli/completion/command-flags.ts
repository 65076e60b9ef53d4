import type { ParseArgsOptionsConfig } from "node:util";
import type { CommandModule } from "../commands.ts";

/**
 * The flags a command parses, as completion offers them: what its module exports as `flags`,
 * the very object its run() hands to parseFlags. test/unit/cli/completion/command-flags.test.ts
 * runs every command's parser against what completion offers, both ways.
 */
export function commandFlags(module: CommandModule): ParseArgsOptionsConfig {
  return module.flags ?? {};
}
