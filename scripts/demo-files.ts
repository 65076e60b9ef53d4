import { execFile } from "node:child_process";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const CLI = resolve("dist/kubectl-broker.js");
const COMPLETER = resolve("dist/kubectl_complete-broker.js");

/**
 * What the demo leaves in its directory for people: a `kubectl-broker` on a PATH of its own
 * (so `kubectl broker …` works as a kubectl plugin, on the Node the project pins) with its
 * `kubectl_complete-broker` (so kubectl's shell completion completes it), a
 * kubeconfig whose contexts use the exec plugin through the gateway, and an env file.
 */
export async function writeDemoFiles(options: {
  dir: string;
  brokerUrl: string;
  caFile: string;
  /** A view and an edit context each, named <cluster>-view and <cluster>-edit. */
  clusters: string[];
}): Promise<{ envFile: string; kubeconfig: string }> {
  const dir = resolve(options.dir);
  const bin = join(dir, "bin");
  await mkdir(bin, { recursive: true });
  const wrapper = join(bin, "kubectl-broker");
  await writeFile(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  await chmod(wrapper, 0o755);
  const completer = join(bin, "kubectl_complete-broker");
  await writeFile(completer, `#!/bin/sh\nexec "${process.execPath}" "${COMPLETER}" "$@"\n`);
  await chmod(completer, 0o755);

  const kubeconfig = join(dir, "kubeconfig");
  const contexts = options.clusters.flatMap((cluster) =>
    ["view", "edit"].map((role) => ({ cluster, role, context: `${cluster}-${role}` })),
  );
  for (const [i, { cluster, role, context }] of contexts.entries()) {
    await run(process.execPath, [
      CLI,
      "kubeconfig",
      "--server",
      options.brokerUrl,
      "--certificate-authority",
      options.caFile,
      "--cluster",
      cluster,
      "--role",
      role,
      "-n",
      "team-a",
      "--context",
      context,
      "--file",
      kubeconfig,
      "--exec-command",
      wrapper,
      // The first cluster's view context is the current one.
      ...(i > 0 ? ["--keep-context"] : []),
    ]);
  }

  const envFile = join(dir, "env");
  await writeFile(
    envFile,
    [
      `export KUBE_BROKER_SERVER=${options.brokerUrl}`,
      `export KUBE_BROKER_CA_FILE=${options.caFile}`,
      `export KUBECONFIG=${kubeconfig}`,
      `export PATH=${bin}:$PATH`,
      "",
    ].join("\n"),
  );
  return { envFile, kubeconfig };
}
