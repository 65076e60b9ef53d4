import { formatDuration } from "../../shared/duration.ts";
import type { CliContext } from "../context.ts";

/**
 * A long wait (a request's decision, a sign-in, another process's lock), shown on stderr with
 * what is being waited for and for how long. On a terminal: one line, rewritten in place every
 * second and cleared when the wait ends. Otherwise (a pipe, a CI log): a plain line when the
 * wait starts, and another every PLAIN_EVERY_MS. Elapsed time is the injected clock's; the
 * timer only calls tick(), which tests call themselves after moving a manual clock.
 * Nothing else should be said while a terminal line is shown: it would be drawn over.
 */
export interface Progress {
  /** What is being waited for now (a request's approvals counting up). */
  update(what: string): void;
  /** Redraws the terminal line, or writes a plain line when one is due. */
  tick(): void;
  /** The wait is over: the terminal line is cleared. Safe to call more than once. */
  done(): void;
}

export const PLAIN_EVERY_MS = 10_000;
const TICK_MS = 1000;
const CLEAR_LINE = "\r\x1b[K";

export function startProgress(ctx: Pick<CliContext, "clock" | "terminal">, what: string): Progress {
  const { clock, terminal } = ctx;
  const started = clock.now();
  let lastPlain = started;
  let current = what;
  let over = false;
  const elapsed = () => formatDuration(Math.floor((clock.now() - started) / 1000));
  const draw = () => {
    const suffix = `… ${elapsed()}`;
    // A line longer than the terminal wraps, and \r would then rewrite only its last part.
    const room = terminal.columns ? terminal.columns - 1 - suffix.length : Number.POSITIVE_INFINITY;
    const text = current.length > room ? current.slice(0, Math.max(0, room)).trimEnd() : current;
    terminal.write(`${CLEAR_LINE}${text}${suffix}`);
  };
  const plain = (line: string) => {
    lastPlain = clock.now();
    terminal.write(`${line}\n`);
  };

  if (terminal.isTTY) draw();
  else plain(`${current}…`);
  const timer = setInterval(() => progress.tick(), TICK_MS);
  timer.unref();

  const progress: Progress = {
    update(next) {
      if (over || next === current) return;
      current = next;
      if (terminal.isTTY) draw();
      else plain(`${current}… ${elapsed()}`);
    },
    tick() {
      if (over) return;
      if (terminal.isTTY) draw();
      else if (clock.now() - lastPlain >= PLAIN_EVERY_MS) plain(`${current}… ${elapsed()}`);
    },
    done() {
      if (over) return;
      over = true;
      clearInterval(timer);
      if (terminal.isTTY) terminal.write(CLEAR_LINE);
    },
  };
  return progress;
}
