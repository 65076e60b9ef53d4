import type { BrokerTarget } from "../broker/session-access.ts";
import { KeyringUnavailable, type SessionKeyring, sessionKeyring } from "../cache/session-keyring.ts";
import type { StoredSession } from "../cache/session-store.ts";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";

/** Saves a new session where --token-cache-storage says; made before the sign-in (sessionKeeper). */
export type KeepSession = (session: StoredSession) => Promise<void>;

/**
 * Decides where the session will go before the person signs in, so that a keyring asked for
 * by name and not to be had is refused before a trip through the browser, not after. By
 * default, the keyring when it answers, else the 0600 file with one line saying so.
 */
export async function sessionKeeper(ctx: CliContext, target: BrokerTarget): Promise<KeepSession> {
  const previous = target.store.read(target.server).session;
  const toFile = async (session: StoredSession) => {
    target.store.write(session, "file");
    // A keyring entry of an earlier login must not outlive this one (logout would miss it).
    if (previous?.keyring) await forgetKeyringCopy(target);
  };
  if (target.storage.storage === "disk") return toFile;
  let keyring: SessionKeyring;
  try {
    keyring = await sessionKeyring(target.server, target.cacheDir);
    await keyring.probe();
  } catch (err) {
    if (!(err instanceof KeyringUnavailable)) throw err;
    return fallBack(ctx, target, err.message, toFile);
  }
  return async (session) => {
    try {
      await keyring.set(session.session);
    } catch (err) {
      if (!(err instanceof KeyringUnavailable)) throw err;
      return (await fallBack(ctx, target, err.message, toFile))(session);
    }
    target.store.write(session, "keyring");
  };
}

async function fallBack(ctx: CliContext, target: BrokerTarget, why: string, toFile: KeepSession) {
  if (target.storage.explicit)
    throw new CliError(
      `cannot keep the session in the OS keyring (${why}); sign in with --token-cache-storage disk to keep it in a file`,
    );
  return async (session: StoredSession) => {
    await toFile(session);
    ctx.say(
      `kubectl-broker: the OS keyring is not available (${why}); kept the session in ${target.store.fileOf(target.server)} (mode 0600)`,
    );
  };
}

async function forgetKeyringCopy(target: BrokerTarget): Promise<void> {
  try {
    await (await sessionKeyring(target.server, target.cacheDir)).delete();
  } catch (err) {
    if (!(err instanceof KeyringUnavailable)) throw err;
  }
}
