import { Counter, type Registry } from "prom-client";

export interface RecordingMetrics {
  started: Counter<"mode">;
  /** Recordings that could not start, or lost writes (best-effort) / cut sessions (required). */
  failures: Counter<"mode">;
}

export function createRecordingMetrics(registry: Registry): RecordingMetrics {
  return {
    started: new Counter({
      name: "kube_broker_session_recordings_started_total",
      help: "exec and attach sessions whose recording started, by recording mode",
      labelNames: ["mode"],
      registers: [registry],
    }),
    failures: new Counter({
      name: "kube_broker_session_recording_failures_total",
      help: "recordings that could not start or lost writes (best-effort) or cut their session (required)",
      labelNames: ["mode"],
      registers: [registry],
    }),
  };
}
