import type { ParseArgsOptionsConfig } from "node:util";
import type { CiExchangeResult } from "../../identity/ci/index.ts";
import { BROKER_FLAGS, OUTPUT_FLAG, parseFlags } from "../args.ts";
import { BrokerClient } from "../broker/broker-client.ts";
import { namedCa, trustList } from "../broker/trust.ts";
import { withCa } from "../ci/ci-kubeconfig.ts";
import { fetchIdToken, idTokenSource } from "../ci/id-token.ts";
import type { CliContext } from "../context.ts";
import { writeKubeconfig } from "../kubeconfig/kubeconfig-file.ts";
import { grantName } from "../output/grant-view.ts";
import { json, type OutputChoice, outputFormat, print } from "../output/output-format.ts";
import { resolveServer } from "../server-url.ts";

export const usage = `kubectl broker ci-token [--cluster C] [--provider github|gitlab|env:VAR] [--write-kubeconfig PATH] [-o …]

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
  -o FORMAT                     json (the default), yaml, name (grant/ID) or jsonpath=TEMPLATE
                                (-o jsonpath='{.token}'); with --write-kubeconfig, prints the
                                credential without its token in that form
  --server URL                  the broker (or KUBE_BROKER_SERVER)
  --certificate-authority FILE  CA for the broker (or KUBE_BROKER_CA_FILE)`;

export const flags = {
  ...BROKER_FLAGS,
  ...OUTPUT_FLAG,
  cluster: { type: "string" },
  provider: { type: "string" },
  audience: { type: "string" },
  "token-variable": { type: "string" },
  ttl: { type: "string" },
  "write-kubeconfig": { type: "string" },
} as const satisfies ParseArgsOptionsConfig;
export const outputs: readonly OutputChoice[] = ["json", "yaml", "name", "jsonpath"];

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, flags);
  const format = outputFormat(values.output, outputs, "JSON");
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
  const what = `${result.role} on ${result.cluster}${scope} until ${result.grant.expiresAt} (grant ${result.grant.id}).`;
  const path = values["write-kubeconfig"];
  const { kubeconfig: _kubeconfig, ...credential } = result;
  if (path) {
    writeKubeconfig(path, withCa(result.kubeconfig, ca));
    ctx.say(`Wrote ${path}: ${what}`);
    // The token is in the file; a job's log is no place for it.
    const { token: _token, ...withoutToken } = credential;
    if (values.output !== undefined) await print(ctx, format, credentialPrintable(withoutToken, result));
    return 0;
  }
  await print(ctx, format, credentialPrintable(credential, result));
  ctx.say(what);
  return 0;
}

/** Left out, -o means JSON here: what tools that take a bearer token read. */
function credentialPrintable(value: object, result: CiExchangeResult) {
  return { value, names: [grantName(result.grant)], text: () => json(value) };
}
