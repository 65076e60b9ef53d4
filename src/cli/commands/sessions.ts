import type { ParseArgsOptionsConfig } from "node:util";
import { parseCast } from "../../shared/asciicast.ts";
import { BROKER_FLAGS, OUTPUT_FLAG, parseFlags } from "../args.ts";
import { readBody } from "../broker/http-request.ts";
import { signedInClient } from "../broker/session-access.ts";
import { CliError, UsageError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { outputFormat, print } from "../output/output-format.ts";
import { type RecordingMeta, recordingList, searchResults } from "../output/recording-view.ts";

export const usage = `kubectl broker sessions list [--user U] [--cluster C] [--namespace N] [--pod P]
                               [--since 7d] [--limit N] [-o wide|json|yaml|name|jsonpath=…]
       kubectl broker sessions play ID [--speed N]
       kubectl broker sessions export ID > session.cast
       kubectl broker sessions search "TEXT" [--user U] [--cluster C] [--since 7d] [-o …]

Recorded kubectl exec and attach sessions. "list" shows them newest first; "play" replays one
in this terminal with its timing (--speed 2 twice as fast); "export" writes it as an
asciicast v2 file (asciinema play and asciinema-player read it); "search" finds the lines
typed in sessions that contain TEXT (case-insensitive). Admins see every session; others
their own.`;

export const flags = {
  ...BROKER_FLAGS,
  ...OUTPUT_FLAG,
  user: { type: "string" },
  cluster: { type: "string" },
  namespace: { type: "string", short: "n" },
  pod: { type: "string" },
  since: { type: "string" },
  limit: { type: "string" },
  speed: { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

export const leading = [
  { value: "list", description: "recorded sessions, newest first" },
  { value: "play", description: "replay a session in this terminal" },
  { value: "export", description: "a session as an asciicast file" },
  { value: "search", description: "lines typed in sessions" },
] as const;

const FILTERS = ["user", "cluster", "namespace", "pod", "since", "limit"] as const;
/** A pause longer than this in a recording is played as this long: nobody waits out a coffee break. */
const LONGEST_PAUSE_S = 3;

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case "list":
      return list(rest, ctx);
    case "search":
      return search(rest, ctx);
    case "play":
      return play(rest, ctx);
    case "export":
      return exportCast(rest, ctx);
    default:
      throw new UsageError(
        `${action ? `no such action "${action}"` : "which?"}: kubectl broker sessions list|play|export|search`,
      );
  }
}

function filterQuery(values: Partial<Record<(typeof FILTERS)[number], string>>): URLSearchParams {
  const query = new URLSearchParams();
  for (const name of FILTERS) if (values[name]) query.set(name, values[name]);
  return query;
}

async function list(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, flags);
  const format = outputFormat(values.output);
  const { items } = await signedInClient(ctx, values).get<{ items: RecordingMeta[] }>(
    `/v1/recordings?${filterQuery(values)}`,
  );
  await print(ctx, format, recordingList(items, ctx.clock.now()));
  return 0;
}

async function search(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseFlags(args, flags, 1);
  const text = positionals[0];
  if (!text?.trim()) throw new UsageError('search for what? kubectl broker sessions search "TEXT"');
  const format = outputFormat(values.output, ["json", "yaml", "name", "jsonpath"], "a table");
  const query = filterQuery(values);
  query.set("q", text);
  const { items } = await signedInClient(ctx, values).get<{
    items: { recording: RecordingMeta; lines: string[] }[];
  }>(`/v1/recordings/search?${query}`);
  await print(ctx, format, searchResults(items, ctx.clock.now()));
  return 0;
}

/** The session's asciicast file, as the broker stores it. */
async function castOf(args: string[], ctx: CliContext, verb: string) {
  const { values, positionals } = parseFlags(args, flags, 1);
  const id = positionals[0];
  if (!id)
    throw new UsageError(`which session? kubectl broker sessions ${verb} ID (sessions list shows them)`);
  const res = await signedInClient(ctx, values).open(`/v1/recordings/${encodeURIComponent(id)}/cast`, {
    headers: { accept: "application/x-asciicast" },
  });
  return { text: await readBody(res, 256 * 1024 * 1024), values, id };
}

async function exportCast(args: string[], ctx: CliContext): Promise<number> {
  const { text } = await castOf(args, ctx, "export");
  await ctx.out(text);
  return 0;
}

async function play(args: string[], ctx: CliContext): Promise<number> {
  const { text, values, id } = await castOf(args, ctx, "play");
  const speed = values.speed === undefined ? 1 : Number(values.speed);
  if (!(speed > 0 && speed <= 1000))
    throw new UsageError(`--speed must be a number above 0, not "${values.speed}"`);
  let cast: ReturnType<typeof parseCast>;
  try {
    cast = parseCast(text);
  } catch (err) {
    // Nothing written yet (the session started a moment ago), or not a recording at all.
    throw new CliError(`session ${id} cannot be played: ${(err as Error).message}`);
  }
  let at = 0;
  for (const [time, code, data] of cast.events) {
    if (code !== "o") continue;
    const wait = Math.min(time - at, LONGEST_PAUSE_S) / speed;
    at = time;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    await ctx.out(data);
  }
  return 0;
}
