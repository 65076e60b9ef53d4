import type { RecordingMode } from "../config/recording-schema.ts";
import type { Config } from "../config/schema.ts";

const STRICTNESS: Record<RecordingMode, number> = { off: 0, "best-effort": 1, required: 2 };

/**
 * How a session on `cluster` under `role` is recorded: the stricter of the two where either
 * says, recording.default where neither does. A role cannot loosen its cluster, nor the other
 * way round: `required` on either is required.
 */
export function recordingModeFor(config: Config, cluster: string, role: string): RecordingMode {
  const set = [
    config.clusters.find((c) => c.name === cluster)?.recording,
    config.roles.find((r) => r.name === role)?.recording,
  ].filter((mode): mode is RecordingMode => mode !== undefined);
  if (set.length === 0) return config.recording.default;
  return set.reduce((a, b) => (STRICTNESS[b] > STRICTNESS[a] ? b : a));
}
