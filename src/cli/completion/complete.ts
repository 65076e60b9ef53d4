import type { ParseArgsOptionsConfig } from "node:util";
import { COMMANDS, type CommandModule } from "../commands.ts";
import type { CliContext } from "../context.ts";
import { ALL_OUTPUTS, type OutputChoice } from "../output/output-format.ts";
import { BrokerLookups, type Candidate, type Placement } from "./broker-lookups.ts";
import { commandFlags } from "./command-flags.ts";
import { flagHelp } from "./flag-help.ts";
import { SHELLS } from "./shell-scripts.ts";
import { readWords, type TypedWords } from "./typed-words.ts";

/**
 * `kubectl-broker __complete WORD…`: the completions of the last word, in cobra's protocol,
 * which kubectl 1.26+ reads from a plugin's `kubectl_complete-<plugin>` executable (given the
 * words after the plugin's name) and which the scripts of `completion bash|zsh|fish` read too.
 * One candidate per line, `value<TAB>description`, then `:<directive>`: a bitmask telling the
 * shell what to do besides (cobra's ShellCompDirective). Candidates are filtered by what is
 * typed already, as cobra's own completion functions do.
 *
 * Completion runs at every TAB, in the person's terminal: it never prompts, never opens a
 * browser, never writes to stderr (kubectl passes it through) and answers within about a
 * second even when the broker does not: what it needs from the broker it asks with a deadline
 * (and keeps a while, broker-lookups.ts); past it, or on any failure, it offers what it knows
 * locally.
 */
export const DIRECTIVE = {
  /** Something went wrong: the shell ignores the completions. */
  error: 1,
  /** No space after the completion (it is a prefix: `jsonpath=`, `env:`). */
  noSpace: 2,
  /** No file names when there are no completions. */
  noFileComp: 4,
} as const;

export interface Completion {
  candidates: Candidate[];
  directive: number;
}

export const COMPLETION_TIMEOUT_MS = 800;

export async function complete(
  words: string[],
  ctx: CliContext,
  options: { timeoutMs?: number } = {},
): Promise<number> {
  let answer: Completion;
  try {
    answer = await completions(words, ctx, options);
  } catch {
    answer = { candidates: [], directive: DIRECTIVE.error };
  }
  await ctx.out(protocol(answer));
  return 0;
}

/** The answer as cobra's __complete prints it. */
export function protocol(answer: Completion): string {
  const line = (c: Candidate) =>
    c.description ? `${c.value}\t${c.description.replace(/\s+/g, " ").trim()}` : c.value;
  return `${answer.candidates.map((c) => `${line(c)}\n`).join("")}:${answer.directive}\n`;
}

/** `words`: what follows `kubectl broker` (or `kubectl-broker`), the word being completed last. */
export async function completions(
  words: readonly string[],
  ctx: CliContext,
  options: { timeoutMs?: number } = {},
): Promise<Completion> {
  const [name, ...rest] = words;
  if (rest.length === 0) return topLevel(name ?? "");
  if (name === "help") return rest.length === 1 ? offer(rest[0]!, commandNames()) : nothing();
  const entry = name === undefined ? undefined : COMMANDS[name];
  if (!entry) return nothing();
  const module = await entry.load();
  const flags = commandFlags(module);
  // A leading argument (audit's mode, report's kind) comes before any flag.
  const leading = LEADING[name!] ?? module.leading;
  if (leading && rest.length === 1)
    return rest[0]!.startsWith("-") ? nothing() : offer(rest[0]!, [...leading]);
  const typed = readWords(leading ? rest.slice(1) : rest, flags);
  const query: Query = {
    command: name!,
    module,
    flags,
    typed,
    lookups: new BrokerLookups(
      ctx,
      {
        server: last(typed.given, "server"),
        "certificate-authority": last(typed.given, "certificate-authority"),
      },
      AbortSignal.timeout(options.timeoutMs ?? COMPLETION_TIMEOUT_MS),
    ),
  };
  const { completing, current } = typed;
  switch (completing.kind) {
    case "flag":
      return offer(current, flagCandidates(query));
    case "value": {
      if (PATH_FLAGS.has(completing.flag)) return { candidates: [], directive: 0 };
      return offer(current, await flagValues(completing.flag, query), completing.inline);
    }
    case "argument": {
      const args = ARGUMENTS[name!];
      if (!args || completing.index >= args.max) return nothing();
      return offer(current, await args.values(query));
    }
  }
}

interface Query {
  command: string;
  module: CommandModule;
  flags: ParseArgsOptionsConfig;
  typed: TypedWords;
  lookups: BrokerLookups;
}

/** What a command takes besides flags: how many, and what they may be. */
interface Arguments {
  max: number;
  values(query: Query): Promise<Candidate[]> | Candidate[];
}

const ARGUMENTS: Record<string, Arguments> = {
  approve: { max: 1, values: (q) => q.lookups.requests("review") },
  deny: { max: 1, values: (q) => q.lookups.requests("review") },
  cancel: { max: 1, values: (q) => q.lookups.requests("mine") },
  revoke: { max: 1, values: (q) => (q.typed.given.has("self") ? [] : q.lookups.grants()) },
  completion: { max: 1, values: () => SHELLS.map((value) => ({ value })) },
};

/** The word a command takes before its flags. */
const LEADING: Record<string, Candidate[]> = {
  audit: [
    { value: "tail", description: "follow new records as they are written" },
    { value: "query", description: "page through past records" },
    { value: "export", description: "every matching record, as JSON lines" },
  ],
};

/** Flags whose value is a file (or a program): the shell completes paths. */
const PATH_FLAGS = new Set([
  "certificate-authority",
  "file",
  "kubeconfig",
  "write-kubeconfig",
  "exec-command",
  "browser-command",
]);

const FIXED_VALUES: Record<string, Candidate[]> = {
  decision: ["allowed", "denied-by-broker", "denied-by-cluster", "error"].map((value) => ({ value })),
  type: [
    { value: "request", description: "kubectl's requests through the gateway" },
    { value: "lifecycle", description: "grants, tokens, sessions and requests" },
  ],
  phase: [{ value: "start" }, { value: "end" }],
  provider: [
    { value: "github", description: "GitHub Actions" },
    { value: "gitlab", description: "GitLab CI" },
    { value: "env:", description: "env:VARIABLE, a variable holding the ID token" },
  ],
  "token-cache-storage": [
    { value: "keyring", description: "the OS keyring (the default, where one answers)" },
    { value: "disk", description: "a file only you can read (0600)" },
  ],
};

const OUTPUT_HELP: Record<OutputChoice, string> = {
  json: "JSON, 2-space indented",
  yaml: "YAML",
  name: "kind/ID, one per line",
  wide: "a table with more columns",
  jsonpath: "jsonpath=TEMPLATE, kubectl's JSONPath template",
};

/** For commands whose usage does not describe the flags every command takes. */
const SHARED_HELP: Record<string, string> = {
  server: "the broker (or KUBE_BROKER_SERVER)",
  "certificate-authority": "CA for the broker (or KUBE_BROKER_CA_FILE)",
};

function topLevel(current: string): Completion {
  if (current.startsWith("-"))
    return offer(current, [
      { value: "--help", description: "the commands" },
      { value: "--version", description: "the plugin's version, and the broker's" },
    ]);
  return offer(current, commandNames());
}

function commandNames(): Candidate[] {
  return Object.entries(COMMANDS).map(([value, entry]) => ({ value, description: entry.summary }));
}

/** The command's flags, but those already given that say something only once. */
function flagCandidates({ module, flags, typed }: Query): Candidate[] {
  const help = flagHelp(module.usage, flags);
  return Object.entries(flags).flatMap(([name, option]) => {
    if (typed.given.has(name) && !option.multiple) return [];
    const description =
      name === "output"
        ? `output format: ${outputChoices(module).join(", ")}`
        : (help.get(name) ?? SHARED_HELP[name]);
    const about = description ? { description } : {};
    return [
      { value: `--${name}`, ...about },
      ...(option.short ? [{ value: `-${option.short}`, ...about }] : []),
    ];
  });
}

function outputChoices(module: CommandModule): string[] {
  return (module.outputs ?? ALL_OUTPUTS).map((choice) => (choice === "jsonpath" ? "jsonpath=…" : choice));
}

async function flagValues(flag: string, q: Query): Promise<Candidate[]> {
  switch (flag) {
    case "cluster":
      return q.lookups.clusters();
    case "role":
      return roles(placements(await q.lookups.placements(), q));
    case "namespace":
      return namespaces(placements(await q.lookups.placements(), q), q.typed.given.get("namespace") ?? []);
    case "output":
      return (q.module.outputs ?? ALL_OUTPUTS).map((choice) => ({
        value: choice === "jsonpath" ? "jsonpath=" : choice,
        description: OUTPUT_HELP[choice],
      }));
    case "server":
      return q.lookups.servers();
    default:
      return FIXED_VALUES[flag] ?? [];
  }
}

/**
 * The entitlements that fit the command and what is typed: `request` asks for requestable
 * access; the others may use either kind (a kubeconfig for an approved request's grant too).
 */
function placements(all: Placement[], q: Query): Placement[] {
  const cluster = last(q.typed.given, "cluster");
  const role = last(q.typed.given, "role");
  return all.filter(
    (p) =>
      (q.command !== "request" || p.kind === "requestable") &&
      (!cluster || p.cluster === cluster) &&
      (!role || p.role === role),
  );
}

function roles(places: Placement[]): Candidate[] {
  const byRole = new Map<string, { kinds: Set<string>; clusters: Set<string> }>();
  for (const p of places) {
    const seen = byRole.get(p.role) ?? { kinds: new Set(), clusters: new Set() };
    seen.kinds.add(p.kind === "standing" ? "standing" : "by request");
    seen.clusters.add(p.cluster);
    byRole.set(p.role, seen);
  }
  return [...byRole].map(([value, seen]) => ({
    value,
    description: `${[...seen.kinds].join(" or ")} on ${[...seen.clusters].join(", ")}`,
  }));
}

/** Namespace names the entitlements name outright (a glob is no name), not given already. */
function namespaces(places: Placement[], given: string[]): Candidate[] {
  const byName = new Map<string, Set<string>>();
  for (const p of places)
    for (const ns of p.namespaces)
      if (!/[*?]/.test(ns) && !given.includes(ns)) byName.set(ns, (byName.get(ns) ?? new Set()).add(p.role));
  return [...byName].map(([value, roles]) => ({ value, description: [...roles].join(", ") }));
}

/** The candidates that start with what is typed, written whole (with an inline "--flag="). */
function offer(current: string, candidates: Candidate[], inline = ""): Completion {
  const fitting = candidates
    .filter((c) => c.value.startsWith(current))
    .map((c) => ({ ...c, value: `${inline}${c.value}` }));
  const prefixes = fitting.length > 0 && fitting.every((c) => /[=:]$/.test(c.value));
  return { candidates: fitting, directive: DIRECTIVE.noFileComp | (prefixes ? DIRECTIVE.noSpace : 0) };
}

function nothing(): Completion {
  return { candidates: [], directive: DIRECTIVE.noFileComp };
}

function last(given: Map<string, string[]>, flag: string): string | undefined {
  return given.get(flag)?.at(-1);
}
