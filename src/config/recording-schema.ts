import { z } from "zod";
import { duration, size } from "./fields.ts";

/**
 * Recording of exec and attach sessions (issue 19). `off`: not recorded. `best-effort`:
 * recorded while Redis takes the writes; a session goes on without its recording otherwise.
 * `required`: an exec or attach is refused (503) when its recording cannot be started, and
 * cut when it can no longer be written: the promise fail-closed audit makes for requests.
 */
export const recordingMode = z.enum(["off", "best-effort", "required"]);
export type RecordingMode = z.output<typeof recordingMode>;

export const recordingSchema = z.strictObject({
  /** For clusters and roles that set no `recording` of their own. */
  default: recordingMode.default("best-effort"),
  /** A session's recording stops here (and says it was truncated); the session goes on. */
  maxSessionBytes: size.default(16 * 1024 * 1024),
  /**
   * How long recordings are kept in Redis, which holds them in memory: keep it short and let
   * the audit export's sink (recording.export) keep them for as long as they are needed.
   */
  retention: duration.default(7 * 86400).refine((s) => s >= 3600, "must be at least 1h"),
  /** Lines typed kept per session for `kubectl broker sessions search`. */
  maxTypedLines: z.number().int().min(0).max(100_000).default(2000),
  /**
   * Each line typed is also a `session.command` audit record, so alert rules can match typed
   * commands (`match.command`) and the audit export carries them. Off keeps typed lines in
   * recordings only.
   */
  auditCommands: z.boolean().default(true),
  /** Finished recordings go to audit.export too (file, stdout, or a json-format webhook). */
  export: z.boolean().default(true),
});
