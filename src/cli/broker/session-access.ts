import { cacheDirOf } from "../cache/cache-files.ts";
import { SessionStore, type StoredSession, sessionExpired } from "../cache/session-store.ts";
import { CliError, LOGIN_HINT } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { resolveServer } from "../server-url.ts";
import { BrokerClient } from "./broker-client.ts";
import { namedCa, trustList } from "./trust.ts";

/** Which broker, how to trust it, and where its session is kept: from --server and friends. */
export interface BrokerTarget {
  server: string;
  /** The CA named on this run (flag or env), if any. */
  namedCa: string | undefined;
  store: SessionStore;
  cacheDir: string;
}

export function brokerTarget(
  ctx: CliContext,
  flags: { server?: string | undefined; "certificate-authority"?: string | undefined },
): BrokerTarget {
  const cacheDir = cacheDirOf(ctx.env, ctx.homeDir);
  const store = new SessionStore(cacheDir);
  const server = resolveServer(flags.server, ctx.env, () => store.lastServer());
  return { server, namedCa: namedCa(flags["certificate-authority"], ctx.env), store, cacheDir };
}

/** The stored session if it is still good; a damaged file is discarded with a note. */
export function storedSession(target: BrokerTarget, ctx: CliContext): StoredSession | undefined {
  const read = target.store.read(target.server);
  if (read.corrupt) {
    ctx.say(`kubectl-broker: discarded an unreadable session file for ${target.server}`);
    target.store.remove(target.server);
  }
  const session = read.session;
  if (session && sessionExpired(session, ctx.clock.now())) return undefined;
  return session;
}

/** Why there is no session to use, as one line that says what to do. */
export function noSession(target: BrokerTarget): CliError {
  const expired = target.store.read(target.server).session;
  return new CliError(
    expired
      ? `your kube-broker session for ${target.server} expired at ${expired.expiresAt}; ${LOGIN_HINT}`
      : `not signed in to kube-broker at ${target.server}; ${LOGIN_HINT}`,
  );
}

/** A client acting as the signed-in person; a 401 forgets the session and says to log in again. */
export function sessionClient(target: BrokerTarget, session: StoredSession, extraCa?: string): BrokerClient {
  return new BrokerClient({
    server: target.server,
    ca: trustList(target.namedCa, session.ca, extraCa),
    bearer: session.session,
    onSessionRefused: () => target.store.remove(target.server),
  });
}

/** For commands that need a session and never log in by themselves. */
export function signedInClient(
  ctx: CliContext,
  flags: { server?: string | undefined; "certificate-authority"?: string | undefined },
): BrokerClient {
  const target = brokerTarget(ctx, flags);
  const session = storedSession(target, ctx);
  if (!session) throw noSession(target);
  return sessionClient(target, session);
}
