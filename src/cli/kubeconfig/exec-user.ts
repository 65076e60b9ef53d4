/**
 * The kubeconfig user that runs this CLI as kubectl's exec plugin.
 *
 * By default the command is the absolute path of the Node binary running this CLI, and the
 * first argument the absolute path of the CLI's script: kubectl then runs the plugin with
 * Node 24 whatever its own PATH holds (IDEs and desktop tools often start kubectl with a bare
 * PATH, or one whose `node` is older); a single executable (a release's, or krew's) is the
 * command alone (krew's by its link in krew's bin directory, which survives an upgrade:
 * stableExecutable in ../install-method.ts). --exec-command NAME writes `command: NAME` instead, for kubeconfigs shared
 * between machines, where `kubectl-broker` on PATH must start Node 24.
 */
import type { CliContext } from "../context.ts";
export interface ExecUserInput {
  server: string;
  cluster: string;
  role: string;
  /** The grant's namespaces; none for a cluster-wide role, or for every namespace standing policy allows. */
  namespaces: string[];
  /** A command to run instead of this Node and script, such as "kubectl-broker". */
  execCommand: string | undefined;
  /** --token-cache-storage given to `kubeconfig`: the plugin keeps the session where login does. */
  storage?: string | undefined;
  self: CliContext["self"];
}

export function execUser(input: ExecUserInput): Record<string, unknown> {
  const pluginArgs = [
    "credential",
    "--server",
    input.server,
    "--cluster",
    input.cluster,
    "--role",
    input.role,
    ...input.namespaces.flatMap((namespace) => ["--namespace", namespace]),
    ...(input.storage ? ["--token-cache-storage", input.storage] : []),
  ];
  const [command, args] = input.execCommand
    ? [input.execCommand, pluginArgs]
    : input.self.singleExecutable
      ? [input.self.node, pluginArgs]
      : [input.self.node, [input.self.script, ...pluginArgs]];
  return {
    exec: {
      apiVersion: "client.authentication.k8s.io/v1",
      command,
      args,
      interactiveMode: "IfAvailable",
      provideClusterInfo: true,
      installHint: `This context gets its credentials from kube-broker (${input.server}).
Install the kubectl plugin (a release's kubectl-broker, or "npm install -g kube-broker" with Node.js 24), then run
"kubectl broker kubeconfig --server ${input.server} --cluster ${input.cluster} --role ${input.role}" again.`,
    },
  };
}
