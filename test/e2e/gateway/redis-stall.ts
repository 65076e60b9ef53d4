import { setTimeout as sleep } from "node:timers/promises";
import { readAudit } from "../../support/audit-log.ts";
import { redisConfig } from "../../support/redis-topology.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { type LoadResult, steadyLoad } from "../../support/steady-load.ts";

/** Seconds: how long one Redis command, and one audit write, may wait (both configured). */
export const COMMAND_TIMEOUT = 1;
export const WRITE_TIMEOUT = 1;
/**
 * The longest a request may be held while Redis is stalled: a grant lookup that times out,
 * then a start record that times out, and a second for the machine being busy. The same
 * for any length of stall.
 */
export const HOLD_BOUND_MS = (COMMAND_TIMEOUT + WRITE_TIMEOUT + 1) * 1000;

export interface StallRun {
  results: LoadResult[];
  /** performance.now() when Redis was paused and when it ran again. */
  pausedAt: number;
  resumedAt: number;
}

/** A stack whose Redis a test can pause, with a view grant's token on team-a's pods. */
export async function stallStack(mode: "fail-closed" | "buffered") {
  const stack = await startStack({
    config: ({ dir, redis }) => ({
      redis: { ...redisConfig(redis), commandTimeout: COMMAND_TIMEOUT },
      audit: { mode, writeTimeout: WRITE_TIMEOUT, spool: { path: `${dir}/spool.jsonl` } },
    }),
  });
  const session = await stack.login("dev");
  const { token } = await stack.credential(session, { role: "view", namespace: "team-a" });
  const sa = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString())["kubernetes.io"]
    .serviceaccount.name as string;
  /** Lists pods with `limit=<seq>`, which names the request in the audit and at the cluster. */
  const list = (seq: number) =>
    fetch(`${stack.url}/clusters/test/api/v1/namespaces/team-a/pods?limit=${seq}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(60_000),
    }).then(async (res) => {
      await res.arrayBuffer();
      return res.status;
    });
  /** The `limit` of every list that reached the cluster as the grant's ServiceAccount. */
  const reachedCluster = () =>
    stack.standIn.requests
      .filter((r) => r.user === `system:serviceaccount:kube-broker-grants:${sa}` && r.path.endsWith("/pods"))
      .map((r) => Number(new URLSearchParams(r.query).get("limit")));
  return { stack, session, list, reachedCluster };
}

/** Each run numbers its requests from its own thousand, so runs on one stack stay apart. */
let runs = 0;

/** 20 requests a second; Redis is paused (SIGSTOP) for `pauseMs` in the middle, then resumed. */
export async function stallUnderLoad(
  stack: Stack,
  list: (seq: number) => Promise<number>,
  pauseMs: number,
): Promise<StallRun> {
  const load = steadyLoad(list, 20, ++runs * 10_000);
  await sleep(1000);
  const pausedAt = performance.now();
  stack.redis.pause();
  await sleep(pauseMs);
  stack.redis.resume();
  const resumedAt = performance.now();
  await sleep(4000);
  return { results: await load.stop(), pausedAt, resumedAt };
}

/** Each request's records in the audit stream, by its `limit`, once the stream has settled. */
export async function recordsBySeq(stack: Stack, first: number, last: number, settleMs = 0) {
  if (settleMs) await sleep(settleMs);
  const records = new Map<number, { start: number; end: number; endStatuses: string[] }>();
  for (const entry of await readAudit(stack.redis)) {
    if (entry.type !== "request" || entry.resource !== "pods") continue;
    const seq = Number(new URLSearchParams((entry as { query: string }).query).get("limit"));
    if (seq < first || seq > last) continue;
    const seen = records.get(seq) ?? { start: 0, end: 0, endStatuses: [] };
    if (entry.phase === "start") seen.start++;
    else {
      seen.end++;
      seen.endStatuses.push((entry as { status: string }).status);
    }
    records.set(seq, seen);
  }
  return records;
}

/** The slowest answers, for a failure message. */
export function slowest(results: LoadResult[], n = 5): string {
  return [...results]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, n)
    .map((r) => `#${r.seq} ${r.status} in ${Math.round(r.ms)} ms`)
    .join(", ");
}
