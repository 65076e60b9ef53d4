import type { ParseArgsOptionsConfig } from "node:util";
import { parseFlags } from "../args.ts";
import { UsageError } from "../cli-error.ts";
import { completionScript, isShell } from "../completion/shell-scripts.ts";
import type { CliContext } from "../context.ts";

export const usage = `kubectl broker completion bash|zsh|fish

Prints a script that completes kubectl-broker's commands, flags, cluster and role names,
namespaces, request and grant IDs when it is run by its own name:

  bash   source <(kubectl-broker completion bash)          (in ~/.bashrc)
  zsh    source <(kubectl-broker completion zsh)           (in ~/.zshrc, after compinit)
  fish   kubectl-broker completion fish > ~/.config/fish/completions/kubectl-broker.fish

"kubectl broker …" needs no script of its own: kubectl 1.26 and later completes it with
kubectl's completion (source <(kubectl completion bash), …) and the kubectl_complete-broker
executable installed beside kubectl-broker, which must be on the PATH.`;

export const flags = {} as const satisfies ParseArgsOptionsConfig;

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { positionals } = parseFlags(args, flags, 1);
  const shell = positionals[0];
  if (!isShell(shell))
    throw new UsageError(`completion needs bash, zsh or fish${shell ? `, not "${shell}"` : ""}`);
  await ctx.out(completionScript(shell));
  return 0;
}
