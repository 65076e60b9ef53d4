import type { CiExchangeResult } from "../../identity/ci/index.ts";
import { BROKER_FLAGS, parseFlags } from "../args.ts";
import { BrokerClient } from "../broker/broker-client.ts";
import { namedCa, trustList } from "../broker/trust.ts";
import { withCa } from "../ci/ci-kubeconfig.ts";
import { fetchIdToken, idTokenSource } from "../ci/id-token.ts";
import type { CliContext } from "../context.ts";
import { writeKubeconfig } from "../kubeconfig/kubeconfig-file.ts";
import { json } from "../output/table.ts";
import { resolveServer } from "../server-url.ts";

export const usage = `kubectl broker ci-token [--cluster C] [--provider github|gitlab|env:VAR] [--write-kubeconfig PATH]

In a CI job: exchanges the job's OIDC ID token for a short-lived cluster credential, as the
broker's CI rules allow for this repository, branch and environment. No secret is stored in
the CI system. Writes a kubeconfig (mode 0600) or prints the credential as JSON.
End the job's access with "kubectl broker revoke --self" in an always-run last step.

  --cluster C                   the cluster (when the rules allow more than one)
  --provider P                  github, gitlab or env:VARIABLE (default: detected)
  --audience A                  the audience asked of GitHub (default kube-broker)
  --token-variable NAME         GitLab's id_tokens variable (default KUBE_BROKER_ID_TOKEN)
  --ttl D                       a shorter grant than the rule allows (such as 20m)
  --write-kubeconfig PATH       write a kubeconfig there instead of printing JSON
  --server URL                  the broker (or KUBE_BROKER_SERVER)
  --certificate-authority FILE  CA for the broker (or KUBE_BROKER_CA_FILE)`;

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, {
    ...BROKER_FLAGS,
    cluster: { type: "string" },
    provider: { type: "string" },
    audience: { type: "string" },
    "token-variable": { type: "string" },
    ttl: { type: "string" },
    "write-kubeconfig": { type: "string" },
  });
  // No session and no cache here: a CI job has neither, so "the last login" means nothing.
  const server = resolveServer(values.server, ctx.env, () => undefined);
  const ca = namedCa(values["certificate-authority"], ctx.env);
  const source = idTokenSource(
    values.provider,
    { audience: values.audience ?? "kube-broker", tokenVariable: values["token-variable"] },
    ctx.env,
  );
  const idToken = await fetchIdToken(source, ctx.env);
  const client = new BrokerClient({ server, ca: trustList(ca) });
  const result = await client.post<CiExchangeResult>("/v1/ci/exchange", {
    token: idToken,
    ...(values.cluster ? { cluster: values.cluster } : {}),
    ...(values.ttl ? { ttl: values.ttl } : {}),
  });
  const scope = result.namespaces.length ? ` in ${result.namespaces.join(", ")}` : " cluster-wide";
  const path = values["write-kubeconfig"];
  if (path) {
    writeKubeconfig(path, withCa(result.kubeconfig, ca));
    ctx.say(
      `Wrote ${path}: ${result.role} on ${result.cluster}${scope} until ${result.grant.expiresAt} (grant ${result.grant.id}).`,
    );
    return 0;
  }
  const { kubeconfig: _kubeconfig, ...credential } = result;
  await ctx.out(json(credential));
  ctx.say(
    `${result.role} on ${result.cluster}${scope} until ${result.grant.expiresAt} (grant ${result.grant.id}).`,
  );
  return 0;
}
