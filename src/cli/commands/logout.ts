import { BROKER_FLAGS, parseFlags } from "../args.ts";
import { BrokerClient } from "../broker/broker-client.ts";
import { brokerTarget } from "../broker/session-access.ts";
import { trustList } from "../broker/trust.ts";
import { TokenCache } from "../cache/token-cache.ts";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";

export const usage = `kubectl broker logout [--server URL]

Ends the broker session (at the broker too) and forgets the tokens cached under it.`;

export const flags = BROKER_FLAGS;

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, flags);
  const target = brokerTarget(ctx, values);
  const session = target.store.read(target.server).session;
  new TokenCache(target.cacheDir).discardServer(target.server);
  target.store.remove(target.server);
  if (!session) {
    ctx.say(`Not signed in to ${target.server}.`);
    return 0;
  }
  const client = new BrokerClient({
    server: target.server,
    ca: trustList(target.namedCa, session.ca),
    bearer: session.session,
  });
  try {
    await client.post("/v1/logout");
  } catch (err) {
    // Already ended at the broker: nothing left to do. Otherwise the person should know the
    // session lives on there until it expires.
    if (!(err instanceof CliError && err.httpStatus === 401)) {
      throw new CliError(
        `removed the local session, but the broker did not end it (${err instanceof Error ? err.message : String(err)}); it expires at ${session.expiresAt}`,
      );
    }
  }
  ctx.say(`Signed out of ${target.server}.`);
  return 0;
}
