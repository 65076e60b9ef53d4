import { join } from "node:path";
import { BrokerClient } from "../broker/broker-client.ts";
import { type BrokerTarget, sessionWithSecret } from "../broker/session-access.ts";
import { trustList } from "../broker/trust.ts";
import { ensurePrivateDir } from "../cache/cache-files.ts";
import { acquireLock } from "../cache/file-lock.ts";
import type { SessionInfo, StoredSession } from "../cache/session-store.ts";
import { TokenCache } from "../cache/token-cache.ts";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { startProgress } from "../output/progress.ts";
import { browserCommand, openBrowser } from "./browser.ts";
import { deviceLogin } from "./device.ts";
import { chooseIdp, idpOf } from "./idp-choice.ts";
import { sessionKeeper } from "./keep-session.ts";
import { loopbackLogin } from "./loopback.ts";

export interface SignInOptions {
  target: BrokerTarget;
  /** browser: open one (device flow if none can be); print: only show the URL; device: device flow. */
  mode: "browser" | "print" | "device";
  browserCommand: string | undefined;
  timeoutMs: number;
  /** A CA to remember with the session (besides the one named on this run). */
  ca: string | undefined;
  /** The exec plugin's case: if another process signed in while we waited, use its session. */
  reuseFresh: boolean;
  /** The identity provider to sign in at (--idp), when the broker has several. */
  idp?: string | undefined;
  /** The session this sign-in replaces (the broker refused it), whose provider to prefer. */
  replacing?: SessionInfo | undefined;
}

/** Where every login waits its turn: one browser window, however many kubectl processes ask. */
const LOGIN_LOCK = "login.lock";

export async function signIn(ctx: CliContext, options: SignInOptions): Promise<StoredSession> {
  const { target } = options;
  ensurePrivateDir(target.cacheDir);
  const lock = await acquireLock(join(target.cacheDir, LOGIN_LOCK), {
    timeoutMs: options.timeoutMs + 60_000,
    onWait: () => startProgress(ctx, "kubectl-broker: waiting for a sign-in in progress in another terminal"),
  });
  try {
    const fresh = options.reuseFresh ? await usableSession(target, ctx) : undefined;
    if (fresh) return fresh;
    const keep = await sessionKeeper(ctx, target);
    const ca = options.ca ?? target.namedCa;
    const client = new BrokerClient({ server: target.server, ca: trustList(target.namedCa, ca) });
    // Reaching the broker first means an unreachable one is reported at once, not after a
    // trip through the browser.
    await client.get("/v1/clusters");
    // The exec plugin signs in again where the session it replaces came from.
    const replaced = options.replacing ?? target.store.read(target.server).session;
    const remembered = options.reuseFresh ? idpOf(replaced) : undefined;
    const body = await login(ctx, client, options, remembered);
    const session: StoredSession = {
      server: target.server,
      session: body.session,
      expiresAt: body.expiresAt,
      principal: body.principal,
      ...(ca ? { ca } : {}),
    };
    // Tokens cached under an earlier sign-in may belong to someone else's grants.
    new TokenCache(target.cacheDir).discardServer(target.server);
    await keep(session);
    ctx.say(`Signed in to ${target.server} as ${body.principal.name} until ${body.expiresAt}.`);
    return session;
  } finally {
    lock.release();
  }
}

/** A session another process just made, if its secret can be had (else: sign in anew). */
async function usableSession(target: BrokerTarget, ctx: CliContext): Promise<StoredSession | undefined> {
  try {
    return await sessionWithSecret(target, ctx);
  } catch (err) {
    if (err instanceof CliError) return undefined;
    throw err;
  }
}

async function login(
  ctx: CliContext,
  client: BrokerClient,
  options: SignInOptions,
  remembered: string | undefined,
) {
  const opener =
    options.mode === "browser"
      ? browserCommand(options.browserCommand, ctx.env, process.platform)
      : undefined;
  const device = options.mode === "device" || (options.mode === "browser" && !opener);
  const idp = await chooseIdp(client, options.idp, device, remembered);
  if (device) {
    if (options.mode === "browser") ctx.say("No browser can be opened here; signing in with a device code.");
    return deviceLogin({
      client,
      say: ctx.say,
      clock: ctx.clock,
      progress: () => startProgress(ctx, "Waiting for the code to be entered"),
      idp,
    });
  }
  return loopbackLogin({
    client,
    say: ctx.say,
    progress: () => startProgress(ctx, "Waiting for the sign-in in the browser"),
    timeoutMs: options.timeoutMs,
    open: opener ? (url) => openBrowser(opener(url)) : undefined,
    idp,
  });
}
