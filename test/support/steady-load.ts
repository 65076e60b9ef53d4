/** One request of a steady load: when it left, what came back, how long it took. */
export interface LoadResult {
  seq: number;
  sentAt: number;
  status: number;
  ms: number;
}

/**
 * Sends `send(seq)` at a fixed rate without waiting for earlier answers (a client that is
 * held does not slow the others down, as with many kubectl users). A failed fetch counts as
 * status 0. Requests are numbered from `firstSeq`. stop() ends the load and resolves once
 * every request has its answer.
 */
export function steadyLoad(send: (seq: number) => Promise<number>, perSecond: number, firstSeq = 1) {
  const results: Promise<LoadResult>[] = [];
  let seq = firstSeq - 1;
  const timer = setInterval(() => {
    const mine = ++seq;
    const sentAt = performance.now();
    results.push(
      send(mine).then(
        (status) => ({ seq: mine, sentAt, status, ms: performance.now() - sentAt }),
        () => ({ seq: mine, sentAt, status: 0, ms: performance.now() - sentAt }),
      ),
    );
  }, 1000 / perSecond);
  return {
    async stop(): Promise<LoadResult[]> {
      clearInterval(timer);
      return Promise.all(results);
    },
  };
}
