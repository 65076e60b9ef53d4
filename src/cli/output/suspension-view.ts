import type { SuspensionView } from "../../grants/index.ts";
import type { Printable } from "./output-format.ts";
import { relativeTime, table } from "./table.ts";

/** A suspension as the broker's API shows it (the server's own type: only the type is imported). */
export type { SuspensionView };

/** `suspensions`: whose standing access is suspended where, by what, since when and why. */
export function suspensionList(suspensions: SuspensionView[], now: number): Printable {
  return {
    value: { items: suspensions },
    names: suspensions.map(suspensionName),
    text: (wide) =>
      table(
        ["user", "cluster", "suspended by", "since", "reason", ...(wide ? ["alert"] : [])],
        suspensions.map((s) => [
          s.user,
          s.cluster,
          s.by,
          relativeTime(s.at, now),
          s.reason,
          ...(wide ? [s.alert ?? ""] : []),
        ]),
      ),
    empty: "No suspended standing access.",
  };
}

/** One suspension a command lifted: its name is the text result. */
export function liftedSuspension(suspension: SuspensionView): Printable {
  return {
    value: suspension,
    names: [suspensionName(suspension)],
    text: () => `${suspensionName(suspension)}\n`,
  };
}

export function suspensionName(suspension: Pick<SuspensionView, "cluster" | "user">): string {
  return `suspension/${suspension.cluster}/${suspension.user}`;
}
