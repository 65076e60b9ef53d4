import { Agent, request } from "node:https";
import { CREATED_AT } from "./bench-stack.ts";

/** Many open watches, and for every ADDED event of a stamped pod, how late it arrived. */
export interface Watches {
  /** ms from the pod's creation (its CREATED_AT stamp) to the event's arrival here. */
  delays: number[];
  /** Resolves once every watch has received a line (so each is open end to end). */
  ready(timeoutMs: number): Promise<void>;
  close(): void;
}

const STAMP = new RegExp(`"${CREATED_AT.replace(/[./]/g, "\\$&")}":"([\\d.]+)"`);

/**
 * Opens `count` watches on `url`, `parallel` connections at a time. A proxy may hold a
 * watch's headers back until its first event, so a watch counts as open once a line has
 * come through it (see `ready`), not when its headers do. Lines are read as they come and
 * only the stamp is looked for: the load generator shares the cores, so it does as little
 * as it can per event.
 */
export async function openWatches(url: string, token: string, ca: string[], count: number): Promise<Watches> {
  const agent = new Agent({ keepAlive: false, ca });
  const delays: number[] = [];
  const requests: ReturnType<typeof request>[] = [];
  let live = 0;
  let failure: Error | undefined;
  const open = () =>
    new Promise<void>((resolve) => {
      const req = request(url, {
        agent,
        headers: { authorization: `Bearer ${token}`, accept: "application/json" },
      });
      requests.push(req);
      req.on("socket", (socket) => socket.once("secureConnect", resolve));
      req.on("response", (res) => {
        if (res.statusCode !== 200) failure = new Error(`a watch answered ${res.statusCode}`);
        res.setEncoding("utf8");
        let partial: string | undefined;
        res.on("data", (chunk: string) => {
          const now = performance.timeOrigin + performance.now();
          if (partial === undefined) live++;
          const lines = ((partial ?? "") + chunk).split("\n");
          partial = lines.pop() ?? "";
          for (const line of lines) {
            const stamp = line.startsWith('{"type":"ADDED"') ? STAMP.exec(line) : null;
            if (stamp) delays.push(now - Number(stamp[1]));
          }
        });
        res.on("error", () => {});
      });
      req.on("error", (err) => {
        failure = err;
        resolve();
      });
      req.end();
    });
  const parallel = 50;
  for (let i = 0; i < count; i += parallel) {
    await Promise.all(Array.from({ length: Math.min(parallel, count - i) }, open));
  }
  return {
    delays,
    ready: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (live < count && !failure && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (failure) throw failure;
      if (live < count) throw new Error(`only ${live} of ${count} watches saw an event in ${timeoutMs} ms`);
    },
    close: () => {
      for (const req of requests) req.destroy();
      agent.destroy();
    },
  };
}
