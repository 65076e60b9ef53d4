#!/usr/bin/env node
/**
 * kubectl-broker, the kubectl plugin (`kubectl broker …`).
 *
 * kubectl runs `credential` before its requests, every time, so this entry answers a fresh
 * cached token by itself and loads the rest of the CLI (run-cli.ts and the commands) only
 * when it must. The build (scripts/build.ts) keeps this file's bundle free of import
 * statements: built-ins come through process.getBuiltinModule, which skips the ESM loader's
 * work that a static `import … from "node:fs"` costs on every start.
 */
import { writeSync } from "node:fs";
import { processContext } from "./context.ts";
import { cachedCredential } from "./credential-request.ts";

const major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  process.stderr.write(
    `kubectl-broker: needs Node.js 24 or later; ${process.execPath} is ${process.version}\n`,
  );
  process.exit(1);
}

const argv = process.argv.slice(2);
const ctx = processContext();
const answer = argv[0] === "credential" ? cachedCredential(argv.slice(1), ctx) : undefined;
if (answer) {
  // One write below PIPE_BUF (4 KiB) to kubectl's pipe: whole or not at all.
  writeSync(1, answer);
} else {
  // No top-level await: the single executable's build (scripts/build-sea.ts) is CommonJS.
  void import("./run-cli.ts").then(async ({ runCli }) => {
    process.exitCode = await runCli(argv, ctx);
  });
}
