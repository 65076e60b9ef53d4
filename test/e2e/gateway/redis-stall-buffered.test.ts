import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { HOLD_BOUND_MS, recordsBySeq, slowest, stallStack, stallUnderLoad } from "./redis-stall.ts";

/**
 * A stalled Redis (SIGSTOP) under 20 requests a second, buffered: every request is served
 * within the bound however long the stall (records go to the spool instead of waiting), and
 * once Redis runs again every record is in the stream exactly once.
 */
describe("buffered while Redis stalls", { skip: !!process.env.REDIS_URL }, () => {
  let env: Awaited<ReturnType<typeof stallStack>>;
  before(async () => {
    env = await stallStack("buffered");
  });
  after(() => env?.stack.close());

  for (const pauseMs of [5_000, 30_000]) {
    it(`serves every request within the bound and loses no record (${pauseMs / 1000} s stall)`, async () => {
      const { results } = await stallUnderLoad(env.stack, env.list, pauseMs);
      const held = results.filter((r) => r.ms > HOLD_BOUND_MS);
      assert.deepEqual(held, [], `held past ${HOLD_BOUND_MS} ms: ${slowest(results)}`);
      assert.deepEqual(
        results.filter((r) => r.status !== 200).map((r) => `#${r.seq}: ${r.status}`),
        [],
        "buffered mode keeps serving",
      );
      const first = results[0]!.seq;
      const last = results.at(-1)!.seq;
      const deadline = Date.now() + 15_000;
      let records = await recordsBySeq(env.stack, first, last);
      const complete = () => results.every((r) => records.get(r.seq)?.end === 1);
      while (!complete() && Date.now() < deadline) {
        await sleep(200);
        records = await recordsBySeq(env.stack, first, last);
      }
      for (const result of results) {
        const seen = records.get(result.seq);
        assert.equal(seen?.start, 1, `#${result.seq}: one start record`);
        assert.equal(seen?.end, 1, `#${result.seq}: one end record`);
      }
    });
  }
});
