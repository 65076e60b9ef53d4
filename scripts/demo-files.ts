import { execFile } from "node:child_process";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const CLI = resolve("dist/kubectl-broker.js");

/**
 * What the demo leaves in its directory for people: a `kubectl-broker` on a PATH of its own
 * (so `kubectl broker …` works as a kubectl plugin, on the Node the project pins), a
 * kubeconfig whose contexts use the exec plugin through the gateway, and an env file.
 */
export async function writeDemoFiles(options: {
  dir: string;
  brokerUrl: string;
  caFile: string;
  cluster: string;
}): Promise<{ envFile: string; kubeconfig: string }> {
  const dir = resolve(options.dir);
  const bin = join(dir, "bin");
  await mkdir(bin, { recursive: true });
  const wrapper = join(bin, "kubectl-broker");
  await writeFile(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  await chmod(wrapper, 0o755);

  const kubeconfig = join(dir, "kubeconfig");
  const contexts: [string, string][] = [
    ["view", `${options.cluster}-view`],
    ["edit", `${options.cluster}-edit`],
  ];
  for (const [role, context] of contexts) {
    await run(process.execPath, [
      CLI,
      "kubeconfig",
      "--server",
      options.brokerUrl,
      "--certificate-authority",
      options.caFile,
      "--cluster",
      options.cluster,
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
