import type { Entitlements } from "../../policy/index.ts";
import { formatDuration } from "../../shared/duration.ts";
import { BrokerClient } from "../broker/broker-client.ts";
import { sessionSecret } from "../broker/session-access.ts";
import { namedCa, trustList } from "../broker/trust.ts";
import { cacheDirOf } from "../cache/cache-files.ts";
import { storageChoice } from "../cache/session-storage.ts";
import { type SessionRecord, SessionStore, sessionExpired } from "../cache/session-store.ts";
import type { CliContext } from "../context.ts";
import type { GrantView } from "../output/grant-view.ts";
import type { RequestView } from "../output/request-view.ts";
import { relativeTime } from "../output/table.ts";
import { resolveServer } from "../server-url.ts";
import { type CacheKey, CompletionCache } from "./completion-cache.ts";

/** One completion: the word, and a few words about it that zsh and fish show beside it. */
export interface Candidate {
  value: string;
  description?: string;
}

/** Where a role may be held: standing access, or by request (GET /v1/whoami's entitlements). */
export interface Placement {
  kind: "standing" | "requestable";
  cluster: string;
  role: string;
  /** Names or globs; empty for a cluster-wide role. */
  namespaces: string[];
}

/** Clusters and entitlements change with the broker's configuration: seldom. */
const STABLE_TTL_MS = 60_000;
/** Requests and grants change as people work: kept only across a burst of TABs. */
const VOLATILE_TTL_MS = 10_000;

/**
 * What completion asks the broker: cluster names (GET /v1/clusters, no session needed), the
 * signed-in person's entitlements (GET /v1/whoami), the requests they may decide or cancel
 * and their grants. Every answer goes through the disk cache; every question stops at
 * `signal` (completion's deadline). Nothing here prompts, opens a browser, writes to stderr or
 * changes the session: whatever fails (no broker, no session, a refusal, the deadline) is no
 * candidates, and completion offers what it knows locally.
 */
export class BrokerLookups {
  readonly #ctx: CliContext;
  readonly #flags: { server?: string | undefined; "certificate-authority"?: string | undefined };
  readonly #signal: AbortSignal;
  #target:
    | { server: string; ca: string[]; session: SessionRecord | undefined; secret: () => Promise<string> }
    | null
    | undefined;

  constructor(
    ctx: CliContext,
    flags: { server?: string | undefined; "certificate-authority"?: string | undefined },
    signal: AbortSignal,
  ) {
    this.#ctx = ctx;
    this.#flags = flags;
    this.#signal = signal;
  }

  clusters(): Promise<Candidate[]> {
    return this.#lookup("clusters", false, STABLE_TTL_MS, isCandidates, async (client) => {
      const { items } = await client.get<{ items: { name: string }[] }>("/v1/clusters", this.#options());
      return items.map((item) => ({ value: item.name }));
    });
  }

  placements(): Promise<Placement[]> {
    return this.#lookup("placements", true, STABLE_TTL_MS, isPlacements, async (client) => {
      const { entitlements } = await client.get<{ entitlements: Entitlements }>(
        "/v1/whoami",
        this.#options(),
      );
      return [
        ...entitlements.standing.map((e) => placement("standing", e)),
        ...entitlements.requestable.map((e) => placement("requestable", e)),
      ];
    });
  }

  /** Pending requests: those the person may approve or deny, or (mine) their own to cancel. */
  requests(scope: "review" | "mine"): Promise<Candidate[]> {
    return this.#lookup(`requests-${scope}`, true, VOLATILE_TTL_MS, isCandidates, async (client) => {
      const { items } = await client.get<{ items: RequestView[] }>(
        `/v1/requests?scope=${scope}&state=pending`,
        this.#options(),
      );
      return items.map((r) => ({
        value: r.id,
        description: `${scope === "review" ? `${r.requester}: ` : ""}${r.role} on ${r.cluster}${where(r.namespaces)} for ${formatDuration(r.duration)}`,
      }));
    });
  }

  /** The person's active grants. */
  grants(): Promise<Candidate[]> {
    return this.#lookup("grants", true, VOLATILE_TTL_MS, isCandidates, async (client) => {
      const { items } = await client.get<{ items: GrantView[] }>("/v1/grants", this.#options());
      const now = this.#ctx.clock.now();
      return items.map((g) => ({
        value: g.id,
        description: `${g.role} on ${g.cluster}${g.clusterWide ? " cluster-wide" : where(g.namespaces)}, ends ${relativeTime(g.expiresAt, now)}`,
      }));
    });
  }

  /** The broker of --server, KUBE_BROKER_SERVER or the last login, and the URLs known for it. */
  servers(): Candidate[] {
    const store = new SessionStore(cacheDirOf(this.#ctx.env, this.#ctx.homeDir));
    const known = [this.#ctx.env.KUBE_BROKER_SERVER, store.lastServer()].filter((s): s is string => !!s);
    return [...new Set(known)].map((value) => ({ value }));
  }

  async #lookup<T>(
    what: string,
    needsSession: boolean,
    ttlMs: number,
    isValid: (value: unknown) => value is T,
    fetch: (client: BrokerClient) => Promise<T>,
  ): Promise<T | []> {
    try {
      const target = this.#resolve();
      if (!target || (needsSession && !target.session)) return [];
      const cache = new CompletionCache(cacheDirOf(this.#ctx.env, this.#ctx.homeDir));
      const key: CacheKey = {
        server: target.server,
        what,
        principal: needsSession ? target.session!.principal.name : "",
      };
      const cached = cache.read(key, this.#ctx.clock.now(), ttlMs, isValid);
      if (cached) return cached;
      const client = new BrokerClient({
        server: target.server,
        ca: target.ca,
        ...(needsSession ? { bearer: target.secret } : {}),
      });
      const value = await beforeDeadline(fetch(client), this.#signal);
      cache.write(key, this.#ctx.clock.now(), value);
      return value;
    } catch {
      return [];
    }
  }

  #options(): { signal: AbortSignal } {
    return { signal: this.#signal };
  }

  /** Which broker, how to trust it and the session for it; null when there is none to ask. */
  #resolve() {
    if (this.#target !== undefined) return this.#target;
    try {
      const store = new SessionStore(cacheDirOf(this.#ctx.env, this.#ctx.homeDir));
      const server = resolveServer(this.#flags.server, this.#ctx.env, () => store.lastServer());
      const stored = store.read(server).session;
      const session = stored && !sessionExpired(stored, this.#ctx.clock.now()) ? stored : undefined;
      // The CA remembered at login is trusted even when the session has expired.
      const ca = trustList(namedCa(this.#flags["certificate-authority"], this.#ctx.env), stored?.ca);
      const cacheDir = cacheDirOf(this.#ctx.env, this.#ctx.homeDir);
      const storage = storageChoice(undefined, this.#ctx.env);
      // Read only when a lookup misses its cache: a secret in the OS keyring costs a D-Bus call.
      const secret = () => sessionSecret({ server, cacheDir, store, storage }, session!);
      this.#target = { server, ca, session, secret };
    } catch {
      this.#target = null;
    }
    return this.#target;
  }
}

/** The lookup's answer, or a rejection when the deadline passes first (a body that never ends). */
function beforeDeadline<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const stop = () => reject(signal.reason);
    signal.addEventListener("abort", stop, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", stop));
  });
}

function placement(kind: Placement["kind"], e: Omit<Placement, "kind">): Placement {
  return { kind, cluster: e.cluster, role: e.role, namespaces: e.namespaces };
}

function where(namespaces: readonly string[]): string {
  return namespaces.length ? ` in ${namespaces.join(",")}` : "";
}

function isCandidates(value: unknown): value is Candidate[] {
  return (
    Array.isArray(value) &&
    value.every(
      (c: Partial<Candidate> | null) =>
        typeof c?.value === "string" && (c.description === undefined || typeof c.description === "string"),
    )
  );
}

function isPlacements(value: unknown): value is Placement[] {
  return (
    Array.isArray(value) &&
    value.every(
      (p: Partial<Placement> | null) =>
        (p?.kind === "standing" || p?.kind === "requestable") &&
        typeof p.cluster === "string" &&
        typeof p.role === "string" &&
        Array.isArray(p.namespaces) &&
        p.namespaces.every((n) => typeof n === "string"),
    )
  );
}
