import type { Clock } from "../../../src/shared/clock.ts";

/**
 * Real time that a test can move forward: a deadline minutes away arrives at once, without
 * sleeping and without rewriting what is stored, while everything else (Redis TTLs, the
 * stand-in's tokens, timers) still sees time pass as usual. Give one to every replica that
 * should agree on the time.
 */
export class JumpClock implements Clock {
  #offset = 0;

  now(): number {
    return Date.now() + this.#offset;
  }

  /** Moves the clock forward by `ms`. */
  jump(ms: number): void {
    if (ms < 0) throw new Error("a JumpClock only moves forward");
    this.#offset += ms;
  }

  /** Moves the clock to `msBefore` milliseconds before `instant` (if that is ahead). */
  jumpTo(instant: number, msBefore = 0): void {
    this.jump(Math.max(0, instant - msBefore - this.now()));
  }
}
