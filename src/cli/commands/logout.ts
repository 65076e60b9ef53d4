import { BROKER_FLAGS, parseFlags } from "../args.ts";
import { BrokerClient } from "../broker/broker-client.ts";
import { brokerTarget, forgetSession, sessionSecret } from "../broker/session-access.ts";
import { trustList } from "../broker/trust.ts";
import { STORAGE_FLAG } from "../cache/session-storage.ts";
import { TokenCache } from "../cache/token-cache.ts";
import { CliError, describe, LOGIN_HINT } from "../cli-error.ts";
import type { CliContext } from "../context.ts";

export const usage = `kubectl broker logout [--server URL]

Ends the broker session (at the broker too) and forgets the tokens cached under it. Removes
the session from both places it may be kept, its file and the OS keyring (unless
--token-cache-storage disk: then the keyring is left alone when the file does not point there).`;

export const flags = { ...BROKER_FLAGS, ...STORAGE_FLAG } as const;

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, flags);
  const target = brokerTarget(ctx, values);
  const session = target.store.read(target.server).session;
  new TokenCache(target.cacheDir).discardServer(target.server);
  // The secret is read before it is forgotten: the broker is told with it below.
  let secret: string | undefined;
  let unreadable: unknown;
  try {
    secret = session && (await sessionSecret(target, session));
  } catch (err) {
    unreadable = err;
  }
  await forgetSession(target, session);
  if (!session) {
    ctx.say(`Not signed in to ${target.server}.`);
    return 0;
  }
  if (!secret) {
    throw new CliError(
      `removed the local session, but could not tell the broker to end it (${describe(unreadable).replace(`; ${LOGIN_HINT}`, "")}); it expires at ${session.expiresAt}`,
    );
  }
  const client = new BrokerClient({
    server: target.server,
    ca: trustList(target.namedCa, session.ca),
    bearer: secret,
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
