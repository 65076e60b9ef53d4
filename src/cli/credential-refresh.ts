import type { BrokerClient } from "./broker/broker-client.ts";
import { brokerTarget, noSession, sessionClient, sessionWithSecret } from "./broker/session-access.ts";
import { pemOfData } from "./broker/trust.ts";
import { ensurePrivateDir } from "./cache/cache-files.ts";
import { acquireLock } from "./cache/file-lock.ts";
import type { StoredSession } from "./cache/session-store.ts";
import { type CachedToken, isFresh, type TokenKey } from "./cache/token-cache.ts";
import { CliError } from "./cli-error.ts";
import type { CliContext } from "./context.ts";
import type { CredentialRequest } from "./credential-request.ts";
import { signIn } from "./login/sign-in.ts";
import { startProgress } from "./output/progress.ts";

/** Long enough for a person to finish a browser sign-in that another kubectl started. */
const TOKEN_LOCK_TIMEOUT_MS = 10 * 60_000;
const LOGIN_TIMEOUT_MS = 5 * 60_000;

/**
 * The exec plugin's slow path, under the token's lock so that parallel kubectl runs make one
 * request: look again (another process may have just fetched it), make sure of a session
 * (signing in only when kubectl allows prompting), then ask the broker and cache the answer.
 */
export async function refreshCredential(
  ctx: CliContext,
  request: CredentialRequest,
  /** A cached token kubectl was refused with: not to be handed out again. */
  refused?: string,
): Promise<CachedToken> {
  const { key, info, cache } = request;
  const target = brokerTarget(ctx, {
    server: key.server,
    "certificate-authority": request.certificateAuthority,
    "token-cache-storage": request.storage,
  });
  ensurePrivateDir(target.cacheDir);
  const lock = await acquireLock(cache.lockOf(key), {
    timeoutMs: TOKEN_LOCK_TIMEOUT_MS,
    onWait: () =>
      startProgress(ctx, "kubectl-broker: waiting for another kubectl-broker process to fetch a token"),
  });
  try {
    const again = cache.read(key).token;
    if (again && isFresh(again, ctx.clock.now()) && again.token !== refused) return again;
    // kubectl decides (interactiveMode and its own stdin); run by hand, a terminal decides.
    const interactive = info.interactive ?? process.stdin.isTTY === true;
    const execCa = pemOfData(info.caData);
    const login = async (replacing?: StoredSession) => {
      if (!interactive) throw noSession(target);
      return signIn(ctx, {
        target,
        mode: "browser",
        browserCommand: request.browserCommand,
        timeoutMs: LOGIN_TIMEOUT_MS,
        ca: target.namedCa ?? execCa,
        reuseFresh: true,
        replacing,
      });
    };
    const signedIn = async () => {
      try {
        return await sessionWithSecret(target, ctx);
      } catch (err) {
        // A secret the keyring cannot give (locked, gone): signing in again replaces it.
        if (interactive && err instanceof CliError) return undefined;
        throw err;
      }
    };
    const session = (await signedIn()) ?? (await login());
    let token: CachedToken;
    try {
      token = await mint(sessionClient(target, session, execCa), key);
    } catch (err) {
      // A session the broker no longer honours (ended, revoked): sign in again if we may.
      if (!(err instanceof CliError && err.httpStatus === 401) || !interactive) throw err;
      token = await mint(sessionClient(target, await login(session), execCa), key);
    }
    cache.write(token);
    return token;
  } finally {
    lock.release();
  }
}

async function mint(client: BrokerClient, key: TokenKey): Promise<CachedToken> {
  const answer = await client.post<{
    token: string;
    expirationTimestamp: string;
    grant: { id: string; expiresAt: string };
  }>("/v1/credentials", {
    cluster: key.cluster,
    role: key.role,
    ...(key.namespace ? { namespaces: key.namespace.split(",") } : {}),
  });
  return {
    ...key,
    token: answer.token,
    expirationTimestamp: answer.expirationTimestamp,
    grantId: answer.grant.id,
    grantExpiresAt: answer.grant.expiresAt,
  };
}
