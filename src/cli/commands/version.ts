import { type VersionInfo, versionInfo } from "../../shared/version.ts";
import { BROKER_FLAGS, OUTPUT_FLAG, parseFlags } from "../args.ts";
import { BrokerClient } from "../broker/broker-client.ts";
import { readBody } from "../broker/http-request.ts";
import { namedCa, trustList } from "../broker/trust.ts";
import { cacheDirOf } from "../cache/cache-files.ts";
import { SessionStore } from "../cache/session-store.ts";
import { describe } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { type Installation, installationOf, installationText } from "../install-method.ts";
import { type OutputChoice, outputFormat, print } from "../output/output-format.ts";
import { normalizeServer } from "../server-url.ts";

export const usage = `kubectl broker version [-o json|yaml] [--server URL]

The plugin's version and how it was installed (krew, a release's single executable, the
npm package, or a checkout) and, when a broker is known (--server, KUBE_BROKER_SERVER or the last
login) and answers within a few seconds, the broker's (its GET /version). A broker that does
not answer is mentioned on stderr; the client's version is printed all the same.`;

/** Short: this is a question asked in passing, not worth a 30-second hang. */
const SERVER_TIMEOUT_MS = 3000;

interface Versions {
  clientVersion: VersionInfo;
  installation: Installation;
  server?: string;
  serverVersion?: VersionInfo;
}

export const flags = { ...BROKER_FLAGS, ...OUTPUT_FLAG };
/** Like kubectl version: json or yaml. */
export const outputs: readonly OutputChoice[] = ["json", "yaml"];

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, flags);
  const format = outputFormat(values.output, outputs, "text");
  const versions: Versions = {
    clientVersion: versionInfo("kubectl-broker"),
    installation: installationOf(ctx.self, ctx.env),
    ...(await server(ctx, values)),
  };
  await print(ctx, format, { value: versions, names: [], text: () => versionText(versions) });
  return 0;
}

async function server(
  ctx: CliContext,
  flags: { server?: string | undefined; "certificate-authority"?: string | undefined },
): Promise<Pick<Versions, "server" | "serverVersion">> {
  const store = new SessionStore(cacheDirOf(ctx.env, ctx.homeDir));
  const raw = flags.server || ctx.env.KUBE_BROKER_SERVER || store.lastServer();
  if (!raw) return {};
  const url = normalizeServer(raw);
  const ca = trustList(namedCa(flags["certificate-authority"], ctx.env), store.read(url).session?.ca);
  try {
    const res = await new BrokerClient({ server: url, ca }).open("/version", {
      headers: { accept: "application/json" },
      timeoutMs: SERVER_TIMEOUT_MS,
    });
    const body = JSON.parse(await readBody(res)) as Partial<VersionInfo> | null;
    if (typeof body?.version !== "string") throw new Error(`${url} answered /version with no version`);
    return { server: url, serverVersion: body as VersionInfo };
  } catch (err) {
    ctx.say(`kubectl-broker: the broker's version is unknown: ${describe(err)}`);
    return { server: url };
  }
}

function versionText(versions: Versions): string {
  const line = (label: string, info: VersionInfo, where = "") =>
    `${label}: ${info.version}${info.gitCommit ? ` (commit ${info.gitCommit.slice(0, 12)})` : ""}${where}\n`;
  return (
    line("Client Version", versions.clientVersion) +
    `Installed as ${installationText(versions.installation)}\n` +
    (versions.serverVersion ? line("Server Version", versions.serverVersion, ` at ${versions.server}`) : "")
  );
}
