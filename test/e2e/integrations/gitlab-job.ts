/**
 * Runs a job that extends a hidden job of a GitLab CI/CD component (a `spec:` header, `---`,
 * then the jobs), as GitLab and its runner do, for what the component uses and no more: the
 * header's inputs (a required one must be given, an unknown one is an error) interpolated
 * as `$[[ inputs.NAME ]]`; the job's variables, whose `$VAR` references are expanded; its
 * `id_tokens`, each minted for its `aud`; before_script and script in one `sh -e`, and
 * after_script in a shell of its own, whatever the script's outcome. Not a pipeline engine.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { readLog, runShellStep } from "./ci-shell.ts";

interface SpecInput {
  description?: string;
  default?: string;
}

export interface ComponentJob {
  id_tokens?: Record<string, { aud?: string }>;
  variables?: Record<string, string>;
  before_script?: string[];
  script?: string[];
  after_script?: string[];
}

export interface Component {
  inputs: Record<string, SpecInput>;
  /** The jobs, their inputs interpolated. */
  jobs: Record<string, ComponentJob>;
}

export interface JobRun {
  /** The script's exit code (before_script and script). */
  code: number;
  afterCode: number;
  log: string;
  /** The job's environment as its script got it. */
  env: Record<string, string>;
}

const INTERPOLATION = /\$\[\[(.*?)\]\]/g;

/** The component's inputs, and its jobs with `inputs` (and the defaults) put in. */
export function readComponent(file: string, inputs: Record<string, string | undefined> = {}): Component {
  const [header, body, ...more] = parseAllDocuments(readFileSync(file, "utf8")).map((doc) => doc.toJS());
  if (!header?.spec?.inputs || !body || more.length > 0) {
    throw new Error(`${file}: not a spec header, "---", then the configuration`);
  }
  const declared = header.spec.inputs as Record<string, SpecInput | null>;
  const values: Record<string, string> = {};
  for (const name of Object.keys(inputs)) {
    if (!(name in declared)) throw new Error(`${file} has no input ${name}`);
  }
  for (const [name, input] of Object.entries(declared)) {
    const value = inputs[name] ?? input?.default;
    if (value === undefined) throw new Error(`input ${name} is required`);
    values[name] = String(value);
  }
  const interpolate = (node: unknown): unknown => {
    if (typeof node === "string") {
      return node.replace(INTERPOLATION, (_whole, inside: string) => {
        const name = /^inputs\.([\w-]+)$/.exec(inside.trim())?.[1];
        if (!name || !(name in values)) throw new Error(`${file}: unknown interpolation $[[${inside}]]`);
        return values[name]!;
      });
    }
    if (Array.isArray(node)) return node.map(interpolate);
    if (node && typeof node === "object") {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolate(v)]));
    }
    return node;
  };
  return {
    inputs: Object.fromEntries(Object.entries(declared).map(([k, v]) => [k, v ?? {}])),
    jobs: interpolate(body) as Record<string, ComponentJob>,
  };
}

/**
 * GitLab's `extends:` for one level: the job's keys over the hidden job's, hashes (variables,
 * id_tokens) merged key by key, lists replaced.
 */
export function extendJob(base: ComponentJob, job: ComponentJob): ComponentJob {
  return {
    ...base,
    ...job,
    variables: { ...base.variables, ...job.variables },
    id_tokens: { ...base.id_tokens, ...job.id_tokens },
  };
}

export async function runGitlabJob(
  job: ComponentJob,
  options: {
    /** GitLab's predefined variables for the job (CI_PROJECT_DIR, …) and the runner's PATH. */
    env: Record<string, string>;
    /** The ID token GitLab would mint for `aud`. */
    idToken: (aud: string) => Promise<string>;
    workDir: string;
  },
): Promise<JobRun> {
  const env: Record<string, string> = { GITLAB_CI: "true", CI: "true", ...options.env };
  for (const [name, value] of Object.entries(job.variables ?? {})) {
    env[name] = String(value).replace(/\$\{?(\w+)\}?/g, (_whole, ref: string) => env[ref] ?? "");
  }
  for (const [name, { aud }] of Object.entries(job.id_tokens ?? {})) {
    if (!aud) throw new Error(`id_tokens ${name} has no aud`);
    env[name] = await options.idToken(aud);
  }
  const work = mkdtempSync(join(options.workDir, "runner-"));
  const logFile = join(work, "log");
  const run = (lines: string[]) =>
    runShellStep({ shell: "sh", script: `${lines.join("\n")}\n`, env, workDir: work, logFile });
  const code = await run([...(job.before_script ?? []), ...(job.script ?? [])]);
  const afterCode = job.after_script ? await run(job.after_script) : 0;
  return { code, afterCode, log: readLog(logFile), env };
}
