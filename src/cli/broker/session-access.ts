import { cacheDirOf } from "../cache/cache-files.ts";
import { KeyringUnavailable, sessionKeyring } from "../cache/session-keyring.ts";
import { type StorageChoice, storageChoice } from "../cache/session-storage.ts";
import {
  type SessionRecord,
  SessionStore,
  type StoredSession,
  sessionExpired,
} from "../cache/session-store.ts";
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
  /** Where a login keeps the session's secret (--token-cache-storage or its variable). */
  storage: StorageChoice;
}

export function brokerTarget(
  ctx: CliContext,
  flags: {
    server?: string | undefined;
    "certificate-authority"?: string | undefined;
    "token-cache-storage"?: string | undefined;
  },
): BrokerTarget {
  const cacheDir = cacheDirOf(ctx.env, ctx.homeDir);
  const store = new SessionStore(cacheDir);
  const server = resolveServer(flags.server, ctx.env, () => store.lastServer());
  return {
    server,
    namedCa: namedCa(flags["certificate-authority"], ctx.env),
    store,
    cacheDir,
    storage: storageChoice(flags["token-cache-storage"], ctx.env),
  };
}

/** The stored session if it is still good; a damaged file is discarded with a note. */
export function storedSession(target: BrokerTarget, ctx: CliContext): SessionRecord | undefined {
  const read = target.store.read(target.server);
  if (read.corrupt) {
    ctx.say(`kubectl-broker: discarded an unreadable session file for ${target.server}`);
    target.store.remove(target.server);
  }
  const session = read.session;
  if (session && sessionExpired(session, ctx.clock.now())) return undefined;
  return session;
}

/**
 * The session's secret: from its file, or from the OS keyring (loaded only now). A secret
 * that cannot be had is one line saying why and what to do; an entry the keyring no longer
 * has takes its file along, as a session the broker refused does.
 */
export async function sessionSecret(
  target: Pick<BrokerTarget, "server" | "cacheDir" | "store" | "storage">,
  session: SessionRecord,
): Promise<string> {
  if (session.session !== undefined) return session.session;
  const kept = `your kube-broker session for ${target.server} is in the OS keyring`;
  if (target.storage.explicit && target.storage.storage === "disk")
    throw new CliError(`${kept}, which --token-cache-storage disk leaves alone; ${LOGIN_HINT}`);
  let secret: string | undefined;
  try {
    secret = await (await sessionKeyring(target.server, target.cacheDir)).get();
  } catch (err) {
    if (!(err instanceof KeyringUnavailable)) throw err;
    throw new CliError(`${kept}, which cannot be read here (${err.message}); ${LOGIN_HINT}`);
  }
  if (secret !== undefined) return secret;
  target.store.remove(target.server);
  throw new CliError(`${kept}, which no longer has it; ${LOGIN_HINT}`);
}

/**
 * Forgets the session here: its file, and its keyring entry when the file said there is one
 * or when nobody ruled the keyring out (a file deleted by hand leaves the entry behind).
 * The keyring's part is best effort: what cannot be reached holds nothing to remove.
 */
export async function forgetSession(target: BrokerTarget, session: SessionRecord | undefined): Promise<void> {
  target.store.remove(target.server);
  const diskOnly = target.storage.explicit && target.storage.storage === "disk";
  if (!session?.keyring && diskOnly) return;
  try {
    await (await sessionKeyring(target.server, target.cacheDir)).delete();
  } catch (err) {
    if (!(err instanceof KeyringUnavailable)) throw err;
  }
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
export function sessionClient(target: BrokerTarget, session: SessionRecord, extraCa?: string): BrokerClient {
  return new BrokerClient({
    server: target.server,
    ca: trustList(target.namedCa, session.ca, extraCa),
    bearer: session.session ?? (() => sessionSecret(target, session)),
    onSessionRefused: () => forgetSession(target, session),
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

/** The stored session with its secret, for code that must have both (sign-in, the exec plugin). */
export async function sessionWithSecret(
  target: BrokerTarget,
  ctx: CliContext,
): Promise<StoredSession | undefined> {
  const session = storedSession(target, ctx);
  if (!session) return undefined;
  const secret = await sessionSecret(target, session);
  const { keyring: _where, ...info } = session;
  return { ...info, session: secret };
}
