import assert from "node:assert/strict";
import { it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { readAudit } from "../../support/audit-log.ts";
import type { RedisTopology } from "../../support/redis-topology.ts";
import { type LoadResult, steadyLoad } from "../../support/steady-load.ts";
import { type AuditMode, revokeUnderWatch, serviceAccountOf, type TopologyEnv } from "./flows.ts";

/**
 * A Redis master dies while kubectl traffic flows through the gateway, and a grant's
 * deadline falls inside the failover. What must hold:
 *
 * - fail-closed: the gateway answers 503 (a Kubernetes Status) only while the failover
 *   lasts, then serves again by itself, and forwards nothing unrecorded;
 * - buffered: no record of a request answered 2xx is lost;
 * - either way the grant ends on time: its ServiceAccount is gone within a couple of seconds
 *   of its deadline, however the failover fell.
 */
export interface Failover {
  /** Which master dies, for the test's name. */
  what: string;
  /** Kills it; resolves once Redis has promoted a replica (the harness decides when). */
  kill(): Promise<{ ms: number }>;
}

/**
 * How late a grant may end after its deadline or, when the deadline fell inside the
 * failover, after Redis had a master again: the expiry worker's next pass, with room for a
 * busy machine.
 */
const GRANT_LATE_MS = 2000;
/** After Redis has failed over, how long the broker may take to find the new master. */
const RECOVERY_MS = 3000;

let runs = 0;

export function failoverUnderTraffic<T extends RedisTopology>(
  use: () => TopologyEnv<T>,
  mode: AuditMode,
  failover: () => Failover,
): void {
  it(`${mode}: kubectl traffic through the gateway while ${failover().what} fails over`, async (t) => {
    const { stack, session } = use();
    const { token } = await stack.credential(await session("dev"), { role: "view", namespace: "team-a" });
    const notStatus: number[] = [];
    // `limit=<seq>` names each request in its audit records (seq unique in the file).
    const load = steadyLoad(async (n) => {
      const seq = (runs + 1) * 100_000 + n;
      const res = await fetch(`${stack.url}/clusters/test/api/v1/namespaces/team-a/pods?limit=${seq}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(30_000),
      });
      const body = await res.text();
      if (res.status !== 200 && !/"kind":"Status"/.test(body)) notStatus.push(seq);
      return res.status;
    }, 20);
    const straddling = await straddleDeadline(use);
    await sleep(500);
    const killedAt = performance.now();
    const { ms: failoverMs } = await failover().kill();
    const failedOverAt = performance.now();
    await sleep(RECOVERY_MS + 1500);
    const results = (await load.stop()).map((r) => ({ ...r, seq: (runs + 1) * 100_000 + r.seq }));
    runs++;
    const { late, goneAt } = await straddling.gone;
    // How late the grant could not help being: Redis had no master until the failover ended.
    const unavoidable = Math.max(0, killedAt + failoverMs - straddling.deadlineAt);

    const failed = results.filter((r) => r.status !== 200);
    const window = failed.length ? Math.round(Math.max(...failed.map((r) => r.sentAt + r.ms)) - killedAt) : 0;
    t.diagnostic(
      `${failover().what}: failover ${failoverMs} ms; ${failed.length} of ${results.length} refused, ` +
        `the last answered ${window} ms after the kill; the grant ended ${late} ms after its deadline ` +
        `(${Math.round(goneAt - killedAt)} ms after the kill)`,
    );
    assert.deepEqual(notStatus, [], "every refusal is a Kubernetes Status");
    // A request still in flight when the master died may meet it; one answered before may not.
    assert.deepEqual(
      failed.filter((r) => r.sentAt + r.ms < killedAt),
      [],
      "nothing refused before the master died",
    );
    assert.deepEqual(
      failed.filter((r) => r.status !== 503).map((r) => [r.seq, r.status]),
      [],
      "refusals are 503s",
    );
    const recovered = results.filter((r) => r.sentAt > failedOverAt + RECOVERY_MS);
    assert.ok(recovered.length >= 10, `traffic went on after the failover: ${recovered.length}`);
    assert.deepEqual(
      recovered.filter((r) => r.status !== 200).map((r) => [r.seq, r.status]),
      [],
      "served again by itself once Redis failed over",
    );
    // fail-closed forwards a request only once its start record is in; an end record that
    // Redis cannot take then is dropped (the request is already recorded). Buffered keeps both.
    const phases = mode === "fail-closed" ? ["start"] : ["start", "end"];
    await t.test(`every request answered 200 has its ${phases.join(" and ")} records`, () =>
      everyServedRequestRecorded(use, results, killedAt, phases),
    );
    assert.ok(
      late <= unavoidable + GRANT_LATE_MS,
      `the grant ended ${late} ms after its deadline, ${Math.round(late - unavoidable)} ms after Redis failed over`,
    );
    // The grant-ended channel survived the failover (its connection may have been on the dead node).
    const cut = await revokeUnderWatch(use);
    assert.ok(cut < 2000, `a watch outlived its revoked grant by ${cut} ms after the failover`);
  });
}

/**
 * A fresh 1-minute grant whose deadline the broker's clock is moved to 2 s before, so
 * it passes while Redis fails over; resolves to how late (broker time) its ServiceAccount
 * disappeared from the cluster.
 */
async function straddleDeadline<T extends RedisTopology>(
  use: () => TopologyEnv<T>,
): Promise<{ gone: Promise<{ late: number; goneAt: number }>; deadlineAt: number }> {
  const { stack, session } = use();
  const { grant } = await stack.credential(await session("sre2"), {
    role: "view",
    namespace: "team-b",
    ttl: "1m",
  });
  const deadline = Date.parse(grant.expiresAt);
  stack.clock.jumpTo(deadline, 2000);
  const deadlineAt = performance.now() + 2000;
  assert.ok(serviceAccountOf(stack, grant), "the grant's ServiceAccount exists");
  // Wrapped: an async function returning a bare promise would wait for it.
  const gone = (async () => {
    const giveUp = performance.now() + 30_000;
    while (serviceAccountOf(stack, grant) !== undefined) {
      if (performance.now() > giveUp) return { late: Number.POSITIVE_INFINITY, goneAt: giveUp };
      await sleep(25);
    }
    return { late: stack.clock.now() - deadline, goneAt: performance.now() };
  })();
  return { gone, deadlineAt };
}

/** Every request answered 200 has its `needed` records in the stream (they may come late). */
async function everyServedRequestRecorded<T extends RedisTopology>(
  use: () => TopologyEnv<T>,
  results: LoadResult[],
  killedAt: number,
  needed: string[],
): Promise<void> {
  const served = results.filter((r) => r.status === 200).map((r) => String(r.seq));
  let missing: string[] = served;
  let phases = new Map<string, Set<string>>();
  const giveUp = performance.now() + 15_000;
  while (missing.length > 0 && performance.now() < giveUp) {
    phases = new Map<string, Set<string>>();
    for (const e of await readAudit(use().stack.redis, use().stack.config.audit.shards)) {
      if (e.type !== "request") continue;
      const limit = new URLSearchParams((e as { query: string }).query).get("limit") ?? "";
      phases.set(limit, (phases.get(limit) ?? new Set()).add((e as { phase: string }).phase));
    }
    missing = served.filter((seq) => !needed.every((phase) => phases.get(seq)?.has(phase)));
    if (missing.length > 0) await sleep(200);
  }
  assert.deepEqual(
    missing.map((seq) => {
      const sent = results.find((r) => String(r.seq) === seq)!.sentAt - killedAt;
      return `${seq} sent ${Math.round(sent)} ms after the kill: ${[...(phases.get(seq) ?? [])].join("+") || "none"}`;
    }),
    [],
    "requests answered 200 without their records (recorded phases shown)",
  );
}
