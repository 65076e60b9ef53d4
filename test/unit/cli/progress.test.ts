import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PLAIN_EVERY_MS, startProgress } from "../../../src/cli/output/progress.ts";
import { fakeContext } from "../../support/fakes/fake-cli-context.ts";

const CLEAR = "\r\x1b[K";

describe("a long wait's progress on stderr", () => {
  it("on a terminal: one line rewritten in place with the time so far, cleared at the end", () => {
    const { ctx, printed, clock } = fakeContext({}, "/nonexistent", { tty: { columns: 80 } });
    const progress = startProgress(ctx, "Waiting for approval (0 of 2)");
    assert.equal(printed.stderr, `${CLEAR}Waiting for approval (0 of 2)… 0s`);
    clock.advance(1000);
    progress.tick();
    clock.advance(64_000);
    progress.tick();
    progress.update("Waiting for approval (1 of 2)");
    progress.done();
    progress.done();
    progress.tick();
    assert.equal(
      printed.stderr,
      [
        `${CLEAR}Waiting for approval (0 of 2)… 0s`,
        `${CLEAR}Waiting for approval (0 of 2)… 1s`,
        `${CLEAR}Waiting for approval (0 of 2)… 1m5s`,
        `${CLEAR}Waiting for approval (1 of 2)… 1m5s`,
        CLEAR,
      ].join(""),
      "nothing after done, and no newline: the terminal is left as it was",
    );
  });

  it("on a terminal: a line too long for it is cut, keeping the time visible", () => {
    const { ctx, printed } = fakeContext({}, "/nonexistent", { tty: { columns: 30 } });
    startProgress(ctx, "Waiting for the sign-in in the browser").done();
    const line = printed.stderr.slice(CLEAR.length, printed.stderr.lastIndexOf(CLEAR));
    assert.equal(line, "Waiting for the sign-in i… 0s");
    assert.ok(line.length < 30);
  });

  it("elsewhere (a pipe, a CI log): a plain line at the start and about every 10 seconds", () => {
    const { ctx, printed, clock } = fakeContext();
    const progress = startProgress(
      ctx,
      "kubectl-broker: waiting for a sign-in in progress in another terminal",
    );
    for (let second = 1; second <= 25; second++) {
      clock.advance(1000);
      progress.tick();
    }
    progress.done();
    assert.equal(PLAIN_EVERY_MS, 10_000);
    assert.equal(
      printed.stderr,
      [
        "kubectl-broker: waiting for a sign-in in progress in another terminal…",
        "kubectl-broker: waiting for a sign-in in progress in another terminal… 10s",
        "kubectl-broker: waiting for a sign-in in progress in another terminal… 20s",
        "",
      ].join("\n"),
    );
  });

  it("elsewhere: a change of what is waited for is a line at once", () => {
    const { ctx, printed, clock } = fakeContext();
    const progress = startProgress(ctx, "Waiting for approval (0 of 2)");
    clock.advance(3000);
    progress.update("Waiting for approval (0 of 2)");
    progress.update("Waiting for approval (1 of 2)");
    clock.advance(9000);
    progress.tick();
    clock.advance(1000);
    progress.tick();
    progress.done();
    assert.equal(
      printed.stderr,
      "Waiting for approval (0 of 2)…\nWaiting for approval (1 of 2)… 3s\nWaiting for approval (1 of 2)… 13s\n",
    );
  });
});
