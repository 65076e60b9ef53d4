import { readFile } from "node:fs/promises";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { applyEnvOverrides } from "./env-overrides.ts";
import { checkReferences, type Problem } from "./references.ts";
import { type Config, configSchema } from "./schema.ts";

/** A config that cannot be used; `problems` has one entry per field path. */
export class ConfigError extends Error {
  readonly problems: Problem[];
  constructor(source: string, problems: Problem[]) {
    super(`${source}: ${problems.length} problem(s)\n${problems.map(formatProblem).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

export function formatProblem(problem: Problem): string {
  return `${problem.path || "(root)"}: ${problem.message}`;
}

/** Validates an already-parsed config object (YAML document plus env overrides applied). */
export function parseConfig(raw: unknown, source = "config"): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => ({
      path: issue.path.map(String).join("."),
      message: issue.message,
    }));
    throw new ConfigError(source, problems);
  }
  const problems = checkReferences(result.data);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return result.data;
}

/** Reads a YAML config file, applies KUBE_BROKER_* overrides, and validates it. */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : String(err);
    throw new ConfigError(file, [{ path: "", message: reason }]);
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (err) {
    const message = err instanceof YAMLParseError ? err.message.split("\n")[0]! : String(err);
    throw new ConfigError(file, [{ path: "", message: `not valid YAML: ${message}` }]);
  }
  return parseConfig(applyEnvOverrides(document ?? {}, env), file);
}
