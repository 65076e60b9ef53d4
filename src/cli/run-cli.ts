import { CliError, describe } from "./cli-error.ts";
import { COMMANDS } from "./commands.ts";
import type { CliContext } from "./context.ts";

/**
 * Dispatch and the one place errors are shown: whatever goes wrong becomes one line on stderr
 * and a non-zero exit code, never a stack trace.
 */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  guardProcess();
  const [name, ...args] = argv;
  if (name === "__complete") {
    // Shell completion (completion/complete.ts): never a message, whatever happens.
    const { complete } = await import("./completion/complete.ts");
    return complete(args, ctx);
  }
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    const topic = name === "help" ? args[0] : undefined;
    if (!topic) {
      await ctx.out(overview());
      return 0;
    }
    return runCli([topic, "--help"], ctx);
  }
  if (name === "--version") return runCli(["version", ...args], ctx);
  const entry = COMMANDS[name];
  if (!entry) {
    ctx.say(`kubectl-broker: unknown command "${name}"; run "kubectl broker help" for the list`);
    return 2;
  }
  try {
    const command = await entry.load();
    if (args.includes("--help") || args.includes("-h")) {
      await ctx.out(`usage: ${command.usage}\n`);
      return 0;
    }
    return await command.run(args, ctx);
  } catch (err) {
    ctx.say(`kubectl-broker: ${describe(err)}`);
    return err instanceof CliError ? err.exitCode : 1;
  }
}

let guarded = false;

/** Errors outside a command's promise (a stream's late error) are still one line. */
function guardProcess(): void {
  if (guarded) return;
  guarded = true;
  process.on("uncaughtException", (err) => {
    process.stderr.write(`kubectl-broker: ${describe(err)}\n`);
    process.exit(1);
  });
  // `kubectl broker audit export | head`: a closed pipe is not an error worth a message.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
  });
}

function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`);
  return `kubectl broker: short-lived Kubernetes credentials from kube-broker

usage: kubectl broker COMMAND [flags]   (kubectl broker COMMAND --help for its flags)

${lines.join("\n")}

Every command that talks to the broker takes --server URL (or KUBE_BROKER_SERVER; default:
the broker of your last login) and --certificate-authority FILE (or KUBE_BROKER_CA_FILE) for a
broker with a private CA. Shell completion: kubectl broker completion --help.
`;
}
