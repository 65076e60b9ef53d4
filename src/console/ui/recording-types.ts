import { formatDuration } from "../../shared/duration.ts";
import type { AuditRecord } from "./audit-types.ts";

/**
 * The session recordings the console reads (GET /v1/recordings, /v1/recordings/search,
 * /v1/recordings/<id> and its /cast), as src/recording/recording-store.ts writes them; written
 * out here for the reason types.ts gives. The Sessions page's search lives in its URL
 * (/ui/sessions?pod=web-1&q=rm), so a search can be linked. Pure functions, unit-tested under Node.
 */

export interface RecordingMeta {
  /** The id of the exec or attach request's audit records. */
  id: string;
  user: string;
  grant: string;
  grantKind?: string;
  role: string;
  cluster: string;
  namespace: string;
  pod: string;
  container?: string;
  command: string[];
  subresource: "exec" | "attach";
  tty: boolean;
  protocol: string;
  mode: string;
  /** Milliseconds since the epoch. */
  startedAt: number;
  endedAt?: number;
  state: "recording" | "ended";
  bytes: number;
  truncated: boolean;
  lost: boolean;
  ending?: string;
}

/** GET /v1/recordings */
export interface RecordingList {
  items: RecordingMeta[];
}

/** GET /v1/recordings/search: sessions whose typed lines hold the text, with those lines. */
export interface RecordingHits {
  items: { recording: RecordingMeta; lines: string[] }[];
}

/** The names a Sessions URL may carry: the API's filters and `q`, the text typed. */
export const SESSION_FIELDS = ["user", "cluster", "namespace", "pod", "since", "q"] as const;
export type SessionField = (typeof SESSION_FIELDS)[number];
export type SessionSearch = Partial<Record<SessionField, string>>;

/** The known names of a query string, trimmed, empty ones left out. */
export function readSessionSearch(search: string): SessionSearch {
  const params = new URLSearchParams(search);
  const out: SessionSearch = {};
  for (const name of SESSION_FIELDS) {
    const value = params.get(name)?.trim();
    if (value) out[name] = value;
  }
  return out;
}

/** The query string, in one fixed order (the same search, the same URL); empty values left out. */
export function sessionQuery(search: SessionSearch): string {
  const params = new URLSearchParams();
  for (const name of SESSION_FIELDS) {
    const value = search[name]?.trim();
    if (value) params.set(name, value);
  }
  return params.toString();
}

/** What to ask the API: a search of typed lines when there is text to look for, else the list. */
export function recordingsPath(search: SessionSearch): string {
  const query = sessionQuery(search);
  if (search.q?.trim()) return `/v1/recordings/search?${query}`;
  return query ? `/v1/recordings?${query}` : "/v1/recordings";
}

export function sessionPath(id: string): string {
  return `/ui/sessions/${encodeURIComponent(id)}`;
}

/** The asciicast v2 file: what the player plays and what "Download .cast" saves. */
export function castPath(id: string): string {
  return `/v1/recordings/${encodeURIComponent(id)}/cast`;
}

/**
 * Whether an audit record is of an exec or attach that may have been recorded (the recording
 * has the record's id). One the broker refused never started, so it has none; whether the
 * others do (recording may be off for them) the session page says.
 */
export function mayHaveRecording(record: AuditRecord): boolean {
  return (
    record.type === "request" &&
    (record.subresource === "exec" || record.subresource === "attach") &&
    record.decision !== "denied-by-broker" &&
    record.id !== ""
  );
}

/** "sh -c ls" for an exec, "attach" for an attach. */
export function commandOf(meta: RecordingMeta): string {
  if (meta.subresource === "attach") return "attach";
  return meta.command.join(" ") || "exec";
}

/** "test/team-a/web-1", with the container when one was named: "test/team-a/web-1 (app)". */
export function podOf(meta: RecordingMeta): string {
  const place = [meta.cluster, meta.namespace, meta.pod].join("/");
  return meta.container ? `${place} (${meta.container})` : place;
}

/** How long the session lasted (so far, while it is still being recorded): "2m5s". */
export function lengthOf(meta: RecordingMeta, now: number): string {
  const end = meta.endedAt ?? (meta.state === "recording" ? now : meta.startedAt);
  const seconds = (end - meta.startedAt) / 1000;
  return seconds < 1 ? "under 1s" : formatDuration(seconds);
}

/** How it went: "still recording", the ending ("Success"), and whether the recording is whole. */
export function endingOf(meta: RecordingMeta): string {
  const parts = [meta.state === "recording" ? "still recording" : meta.ending || "ended"];
  if (meta.truncated) parts.push("recording truncated at the size limit");
  if (meta.lost) parts.push("part of the recording was lost");
  return parts.join("; ");
}
