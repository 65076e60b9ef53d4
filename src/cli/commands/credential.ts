import { cacheDirOf } from "../cache/cache-files.ts";
import { ExecMessages } from "../cache/exec-messages.ts";
import { CliError, describe } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { refreshCredential } from "../credential-refresh.ts";
import { consultCache, credentialFlags, credentialRequest, serve } from "../credential-request.ts";

export const flags = credentialFlags;

/**
 * The exec plugin kubectl runs before its requests. A usable cached token is answered by
 * main.ts without loading this module (see credential-request.ts); this is the rest:
 * a damaged cache, a token to fetch, a session to make.
 */
export const usage = `kubectl broker credential --cluster C --role R [-n NAMESPACE]... [--server URL]

The exec-credential plugin kubectl runs (see "kubectl broker kubeconfig"); prints an
ExecCredential with a short-lived token, cached on disk until shortly before it expires.
When there is no session it signs in, if kubectl says it may prompt; otherwise it fails
and tells you to run "kubectl broker login".

  --cluster C                   the broker's cluster name
  --role R                      the role to hold
  -n, --namespace N             a namespace the grant is for (repeat for more; none: every
                                namespace your standing rules allow, for a namespaced role)
  --server URL                  the broker (or KUBE_BROKER_SERVER)
  --certificate-authority FILE  CA for the broker (or KUBE_BROKER_CA_FILE)
  --browser-command CMD         what opens the sign-in page (or BROWSER)
  --token-cache-storage S       where a sign-in keeps the session: keyring or disk (see
                                "kubectl broker login --help"); tokens are always cached on disk`;

export async function run(args: string[], ctx: CliContext): Promise<number> {
  // kubectl runs the plugin again when it failed, and every run writes to the same terminal:
  // what this kubectl process was already told (a refusal, a note) is not said again.
  const fromKubectl = ctx.env.KUBERNETES_EXEC_INFO !== undefined;
  const told = new ExecMessages(cacheDirOf(ctx.env, ctx.homeDir));
  const firstTime = (line: string) => !fromKubectl || told.firstTime(ctx.parentPid, line, ctx.clock.now());
  const note = (line: string) => {
    if (firstTime(line)) ctx.say(line);
  };
  try {
    return await credential(args, ctx, note);
  } catch (err) {
    // run-cli.ts shows it, as this very line, unless this kubectl has seen it already.
    if (firstTime(`kubectl-broker: ${describe(err)}`)) throw err;
    return err instanceof CliError ? err.exitCode : 1;
  }
}

async function credential(args: string[], ctx: CliContext, note: (line: string) => void): Promise<number> {
  const request = credentialRequest(args, ctx);
  const verdict = consultCache(request, ctx);
  if (verdict.corrupt) {
    note("kubectl-broker: discarded an unreadable token cache file; fetching a new token");
    request.cache.discard(request.key);
  }
  if (verdict.refused) {
    note("kubectl-broker: the cached token was refused (its grant may have ended); fetching a new one");
  }
  if (verdict.token) {
    await ctx.out(serve(request, ctx, verdict.token, verdict.record ? "served" : false));
    return 0;
  }
  const token = await refreshCredential(ctx, request, verdict.refused?.token);
  await ctx.out(serve(request, ctx, token, verdict.refused ? "reissued" : "served"));
  return 0;
}
