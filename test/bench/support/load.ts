/**
 * The load generator: HTTPS GETs over keep-alive agents, either open-loop (sent on a clock,
 * never waiting for answers, each request's latency measured) or closed-loop (N clients,
 * each sending its next request when the last answer is read, for peak throughput). It
 * shares the machine with what it measures, so every figure is compared with a baseline
 * taken by the same generator in the same run.
 */
import { Agent, request } from "node:https";

export interface Endpoint {
  url: URL;
  token: string;
  agent: Agent;
  /** Requests sent so far (the audit check compares it with the stream). */
  sent: number;
}

export function endpoint(url: string, token: string, ca: string[]): Endpoint {
  return { url: new URL(url), token, agent: new Agent({ keepAlive: true, ca }), sent: 0 };
}

/** One GET with the body read to its end; resolves to the status. */
export function get(target: Endpoint): Promise<number> {
  target.sent++;
  return new Promise((resolve, reject) => {
    const req = request(target.url, {
      agent: target.agent,
      headers: { authorization: `Bearer ${target.token}`, accept: "application/json" },
    });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

export interface OpenLoopResult {
  /** ms from sending to the last byte of the answer, one per request. */
  latencies: number[];
  failures: number;
  /** How late the generator sent each request against its schedule (ms). */
  lateness: number[];
}

/** `perSecond` requests a second for `ms`, on a schedule that never waits for answers. */
export function openLoop(target: Endpoint, perSecond: number, ms: number): Promise<OpenLoopResult> {
  const result: OpenLoopResult = { latencies: [], failures: 0, lateness: [] };
  const total = Math.round((perSecond * ms) / 1000);
  const interval = 1000 / perSecond;
  const begin = performance.now();
  let scheduled = 0;
  let finished = 0;
  return new Promise((resolve) => {
    const done = () => {
      if (++finished === total) resolve(result);
    };
    const send = (due: number) => {
      const sentAt = performance.now();
      result.lateness.push(sentAt - due);
      get(target).then(
        (status) => {
          result.latencies.push(performance.now() - sentAt);
          if (status !== 200) result.failures++;
          done();
        },
        () => {
          result.failures++;
          done();
        },
      );
    };
    const tick = () => {
      const now = performance.now();
      for (; scheduled < total && begin + scheduled * interval <= now; scheduled++)
        send(begin + scheduled * interval);
      if (scheduled < total) setTimeout(tick, Math.max(0, begin + scheduled * interval - performance.now()));
    };
    tick();
  });
}

export interface ClosedLoopResult {
  perSecond: number;
  failures: number;
}

/** `clients` concurrent clients, each one request at a time, for `ms`. */
export async function closedLoop(target: Endpoint, clients: number, ms: number): Promise<ClosedLoopResult> {
  const end = performance.now() + ms;
  let completed = 0;
  let failures = 0;
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const status = await get(target).catch(() => 0);
        if (status === 200) completed++;
        else failures++;
      }
    }),
  );
  return { perSecond: completed / ((performance.now() - begin) / 1000), failures };
}
