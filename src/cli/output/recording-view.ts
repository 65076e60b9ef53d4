import type { RecordingMeta } from "../../recording/index.ts";
import type { Printable } from "./output-format.ts";
import { relativeTime, table } from "./table.ts";

export type { RecordingMeta };

const HEADERS = ["age", "user", "cluster", "namespace", "pod", "command", "duration", "state", "id"];
const WIDE_HEADERS = ["container", "grant", "protocol", "mode", "size", "ending"];

/** `sessions list`: newest first. */
export function recordingList(recordings: RecordingMeta[], now: number): Printable {
  return {
    value: { items: recordings },
    names: recordings.map(recordingName),
    text: (wide) =>
      table(
        wide ? [...HEADERS, ...WIDE_HEADERS] : HEADERS,
        recordings.map((r) => recordingRow(r, now, wide)),
      ),
    empty: "No recorded sessions in that time.",
  };
}

/** `sessions search`: each session with the typed lines that matched. */
export function searchResults(
  results: { recording: RecordingMeta; lines: string[] }[],
  now: number,
): Printable {
  return {
    value: { items: results },
    names: results.map((r) => recordingName(r.recording)),
    text: () =>
      table(
        ["age", "user", "cluster", "namespace", "pod", "id", "typed"],
        results.flatMap(({ recording: r, lines }) =>
          lines.map((line) => [
            relativeTime(new Date(r.startedAt).toISOString(), now),
            r.user,
            r.cluster,
            r.namespace,
            r.pod,
            r.id,
            line,
          ]),
        ),
      ),
    empty: "No typed line matched in that time.",
  };
}

export function recordingName(recording: Pick<RecordingMeta, "id">): string {
  return `session/${recording.id}`;
}

function recordingRow(r: RecordingMeta, now: number, wide: boolean): string[] {
  const row = [
    relativeTime(new Date(r.startedAt).toISOString(), now),
    r.user,
    r.cluster,
    r.namespace,
    r.pod,
    r.subresource === "attach" ? "(attach)" : r.command.join(" "),
    duration((r.endedAt ?? now) - r.startedAt),
    state(r),
    r.id,
  ];
  if (!wide) return row;
  return [...row, r.container ?? "", r.grant, r.protocol, r.mode, `${r.bytes}`, r.ending ?? ""];
}

function state(r: RecordingMeta): string {
  const notes = [r.truncated ? "truncated" : "", r.lost ? "incomplete" : ""].filter(Boolean);
  return [r.state === "recording" ? "live" : "ended", ...notes].join(",");
}

function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m${seconds % 60}s` : `${Math.floor(minutes / 60)}h${minutes % 60}m`;
}
