#!/usr/bin/env node
/**
 * `kube-broker`: the server's command line. `serve` is the composition root's entry; see
 * src/server.ts for how config becomes adapters, services and the listener.
 */
import { parseArgs } from "node:util";
import { checkConfigCommand } from "./config/check-config.ts";
import { versionInfo } from "./shared/version.ts";

const USAGE = `usage:
  kube-broker serve --config FILE          run the broker (API, gateway, workers)
  kube-broker check-config --config FILE   validate a config file; one line per problem
  kube-broker --version                    print the version`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--version" || command === "version") {
    const { version, gitCommit, node } = versionInfo("kube-broker");
    console.log(
      `kube-broker ${version} (${gitCommit ? `commit ${gitCommit.slice(0, 12)}, ` : ""}node ${node})`,
    );
    return 0;
  }
  const { values } = parseArgs({
    args: rest,
    options: { config: { type: "string", short: "c" }, help: { type: "boolean", short: "h" } },
    strict: true,
  });
  // Asked for help (`kube-broker --help`, `check-config --help`): the usage, on stdout, and 0.
  if (command === "--help" || command === "-h" || command === "help" || values.help) {
    console.log(USAGE);
    return 0;
  }
  const configFile = values.config ?? process.env.KUBE_BROKER_CONFIG;
  const out = { stdout: (line: string) => console.log(line), stderr: (line: string) => console.error(line) };
  switch (command) {
    case "check-config":
      if (!configFile) return usage("check-config needs --config FILE");
      return checkConfigCommand(configFile, out);
    case "serve": {
      if (!configFile) return usage("serve needs --config FILE");
      const { serve } = await import("./server.ts");
      await serve(configFile);
      return -1;
    }
    default:
      return usage(command ? `unknown command "${command}"` : "which command?");
  }
}

function usage(problem: string): number {
  console.error(`kube-broker: ${problem}`);
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`kube-broker: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
