/**
 * asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/), the format a session
 * recording is stored and exported in, so that `asciinema play` and asciinema-player read it:
 * a JSON header line, then one JSON array line per event, `[seconds, code, data]`, times
 * relative to the start of the recording.
 */

export type CastCode = "o" | "i" | "r" | "m";
export type CastEvent = [seconds: number, code: CastCode, data: string];
const CODES = new Set<unknown>(["o", "i", "r", "m"]);

export interface CastHeader {
  width: number;
  height: number;
  /** Unix time, in seconds, at which the recording began. */
  timestamp: number;
  command: string;
  title?: string;
  env?: Record<string, string>;
}

export interface Cast {
  header: CastHeader & { version: 2 };
  events: CastEvent[];
}

/** The first line of a recording, newline included. */
export function castHeader(header: CastHeader): string {
  const line: Record<string, unknown> = {
    version: 2,
    width: header.width,
    height: header.height,
    timestamp: Math.floor(header.timestamp),
    command: header.command,
  };
  if (header.title !== undefined) line.title = header.title;
  if (header.env !== undefined) line.env = header.env;
  return `${JSON.stringify(line)}\n`;
}

/**
 * One event line, newline included. Time keeps microseconds, as asciinema writes it; `r`
 * data is "COLSxROWS". Bytes must already be text: decode each stream with its own
 * streaming TextDecoder, so that a character split across two chunks is not mangled.
 */
export function castEvent(seconds: number, code: CastCode, data: string): string {
  const time = Math.max(0, Math.round(seconds * 1e6) / 1e6);
  return `[${time}, ${JSON.stringify(code)}, ${JSON.stringify(data)}]\n`;
}

/** Reads a recording back; a line that is not asciicast v2 throws, naming the line. */
export function parseCast(text: string): Cast {
  const lines = text.split("\n");
  const header = parseLine(lines[0] ?? "", 1);
  if (!isHeader(header)) throw new Error("line 1 is not an asciicast v2 header");
  const events: CastEvent[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    const event = parseLine(line, i + 1);
    if (!isEvent(event)) throw new Error(`line ${i + 1} is not an asciicast event`);
    events.push(event);
  }
  return { header, events };
}

function parseLine(line: string, number: number): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`line ${number} is not JSON`);
  }
}

function isHeader(value: unknown): value is Cast["header"] {
  if (typeof value !== "object" || value === null) return false;
  const header = value as Record<string, unknown>;
  return (
    header.version === 2 &&
    Number.isInteger(header.width) &&
    Number.isInteger(header.height) &&
    (header.timestamp === undefined || typeof header.timestamp === "number")
  );
}

function isEvent(value: unknown): value is CastEvent {
  return (
    Array.isArray(value) &&
    value.length === 3 &&
    typeof value[0] === "number" &&
    value[0] >= 0 &&
    CODES.has(value[1]) &&
    typeof value[2] === "string"
  );
}
