import { realpathSync } from "node:fs";
import { BROKER_FLAGS, parseFlags, required } from "../args.ts";
import { BrokerClient } from "../broker/broker-client.ts";
import { brokerTarget, storedSession } from "../broker/session-access.ts";
import { trustList } from "../broker/trust.ts";
import { STORAGE_FLAG } from "../cache/session-storage.ts";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { stableExecutable } from "../install-method.ts";
import { execUser } from "../kubeconfig/exec-user.ts";
import { kubeconfigPath, readKubeconfigText, writeKubeconfig } from "../kubeconfig/kubeconfig-file.ts";
import { mergeKubeconfig } from "../kubeconfig/merge.ts";

export const usage = `kubectl broker kubeconfig --cluster C --role R [-n N]... [--context NAME] [--file F]

Adds a context to your kubeconfig (KUBECONFIG's first file, or ~/.kube/config) whose cluster
is the broker's gateway and whose user runs "kubectl broker credential". Other entries are
left as they are. Makes the new context the current one unless --keep-context. Prints the
context's name on stdout (kubectl --context "$(kubectl broker kubeconfig …)").

  --cluster C                   the broker's cluster name
  --role R                      the role the context uses
  -n, --namespace N             a namespace the context reaches (repeat for more; the first is
                                the context's default). Without -n, a namespaced role reaches
                                every namespace your standing rules allow, as they come and go
  --context NAME                the context's name (default broker-C-R[-N[+N…]])
  --file F                      the kubeconfig to write
  --exec-command CMD            the plugin command to write (default: this Node and script,
                                by absolute path; "kubectl-broker" for a portable kubeconfig)
  --keep-context                do not change current-context
  --token-cache-storage S       keyring or disk: written into the context's plugin command
                                (see "kubectl broker login --help")
  --server URL                  the broker (or KUBE_BROKER_SERVER)
  --certificate-authority FILE  CA for the broker (or KUBE_BROKER_CA_FILE)`;

interface ClusterInfo {
  name: string;
  server: string;
  certificateAuthorityData?: string;
}

export const flags = {
  ...BROKER_FLAGS,
  cluster: { type: "string" },
  role: { type: "string" },
  namespace: { type: "string", short: "n", multiple: true },
  context: { type: "string" },
  file: { type: "string" },
  "exec-command": { type: "string" },
  "keep-context": { type: "boolean" },
  ...STORAGE_FLAG,
} as const;

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, flags);
  const cluster = required(values.cluster, "cluster");
  const role = required(values.role, "role");
  const namespaces = [...new Set(values.namespace ?? [])];
  const namespace = namespaces[0];
  const target = brokerTarget(ctx, values);
  const session = storedSession(target, ctx);
  const ca = target.namedCa ?? session?.ca;
  const client = new BrokerClient({ server: target.server, ca: trustList(ca) });
  const { items } = await client.get<{ items: ClusterInfo[] }>("/v1/clusters");
  const info = items.find((item) => item.name === cluster);
  if (!info) {
    throw new CliError(
      `the broker has no cluster "${cluster}"; it has: ${items.map((i) => i.name).join(", ") || "none"}`,
    );
  }
  const name = values.context ?? ["broker", cluster, role, namespaces.join("+")].filter(Boolean).join("-");
  const caData = info.certificateAuthorityData ?? (ca ? Buffer.from(ca).toString("base64") : undefined);
  const path = kubeconfigPath(values.file, ctx.env, ctx.homeDir);
  const merged = mergeKubeconfig(
    readKubeconfigText(path),
    {
      cluster: {
        name: `broker-${cluster}`,
        cluster: { server: info.server, ...(caData ? { "certificate-authority-data": caData } : {}) },
      },
      user: {
        name,
        user: execUser({
          server: target.server,
          cluster,
          role,
          namespaces,
          execCommand: values["exec-command"],
          storage: values["token-cache-storage"],
          self: ctx.self.singleExecutable
            ? { ...ctx.self, node: stableExecutable(ctx.self, ctx.env) }
            : { ...ctx.self, script: realpathSync(ctx.self.script) },
        }),
      },
      context: {
        name,
        context: { cluster: `broker-${cluster}`, user: name, ...(namespace ? { namespace } : {}) },
      },
    },
    { makeCurrent: !values["keep-context"] },
  );
  writeKubeconfig(path, merged);
  await ctx.out(`${name}\n`);
  ctx.say(`Context "${name}" written to ${path}${values["keep-context"] ? "" : " and made current"}.`);
  if (!session) ctx.say(`Sign in before using it: kubectl broker login --server ${target.server}`);
  return 0;
}
