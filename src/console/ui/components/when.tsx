import { formatAbsolute, formatRelative, formatTimeLeft } from "../time.ts";

/** A moment in the browser's locale with how far it is: "12 Mar 2026, 14:32 (in 12m)". */
export function When(props: { at: string; now: number }) {
  const at = Date.parse(props.at);
  return (
    <time dateTime={props.at}>
      {formatAbsolute(at)} ({formatRelative(at, props.now)})
    </time>
  );
}

/** A grant's live countdown; `now` comes from the list's one ticking clock. */
export function TimeLeft(props: { expiresAt: string; now: number }) {
  const left = Date.parse(props.expiresAt) - props.now;
  return (
    <span class="time-left" data-testid="time-left">
      {left > 0 ? formatTimeLeft(left) : "ended"}
    </span>
  );
}
