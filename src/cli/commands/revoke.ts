import type { ParseArgsOptionsConfig } from "node:util";
import { BROKER_FLAGS, OUTPUT_FLAG, parseFlags } from "../args.ts";
import { BrokerClient } from "../broker/broker-client.ts";
import { signedInClient } from "../broker/session-access.ts";
import { namedCa, pemOfData, trustList } from "../broker/trust.ts";
import { cacheDirOf } from "../cache/cache-files.ts";
import { TokenCache } from "../cache/token-cache.ts";
import { ciCredentialOf } from "../ci/ci-kubeconfig.ts";
import { UsageError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { kubeconfigPath, readKubeconfigText } from "../kubeconfig/kubeconfig-file.ts";
import { changedGrant, type GrantView } from "../output/grant-view.ts";
import { outputFormat, print } from "../output/output-format.ts";
import { normalizeServer } from "../server-url.ts";

export const usage = `kubectl broker revoke GRANT_ID [-o json|yaml|name|jsonpath=…]
       kubectl broker revoke --self [--kubeconfig PATH]

Ends a grant now: its Kubernetes objects are deleted, so its tokens stop working, and open
connections through the gateway are closed. --self ends the grant whose token is in a
kubeconfig written by "kubectl broker ci-token" (default: KUBECONFIG or ~/.kube/config),
needing no session: what a CI job's always-run last step does. Prints the grant's ID on
stdout and what became of it on stderr; -o prints the grant instead.`;

export const flags = {
  ...BROKER_FLAGS,
  ...OUTPUT_FLAG,
  self: { type: "boolean" },
  kubeconfig: { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseFlags(args, flags, 1);
  const format = outputFormat(values.output);
  const id = positionals[0];
  if (values.self === (id !== undefined)) throw new UsageError("give a grant ID, or --self, but not both");
  let grant: GrantView;
  if (values.self) {
    const path = kubeconfigPath(values.kubeconfig, ctx.env, ctx.homeDir);
    const credential = ciCredentialOf(readKubeconfigText(path), path);
    const client = new BrokerClient({
      server: normalizeServer(values.server ?? credential.server),
      ca: trustList(namedCa(values["certificate-authority"], ctx.env), pemOfData(credential.caData)),
      bearer: credential.token,
    });
    grant = await client.post<GrantView>("/v1/grants/self/revoke", { cluster: credential.cluster });
  } else {
    grant = await signedInClient(ctx, values).delete<GrantView>(`/v1/grants/${encodeURIComponent(id!)}`);
    // Its tokens stopped working; kubectl should not be handed them from the cache.
    new TokenCache(cacheDirOf(ctx.env, ctx.homeDir)).discardGrant(grant.id);
  }
  if (format.kind === "table")
    ctx.say(`Grant ${grant.id} (${grant.role} on ${grant.cluster}) is ${grant.state}.`);
  await print(ctx, format, changedGrant(grant));
  return 0;
}
