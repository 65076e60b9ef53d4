/**
 * Runs a composite GitHub Action's steps in order, as the runner does, for the expressions the
 * action uses and no more: `${{ inputs.NAME }}` in a step's env and run text,
 * `${{ steps.ID.outputs.NAME }}` in the action's outputs. Each step gets GITHUB_ACTION_PATH,
 * its own GITHUB_OUTPUT file and the job's GITHUB_ENV and GITHUB_PATH files, whose lines later
 * steps see; the first step that fails ends the run. Not a workflow engine: no `uses:`, `if:`
 * or expressions beyond these, which fail the run loudly instead.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { readLog, runShellStep, SHELLS } from "./ci-shell.ts";

interface ActionInput {
  description?: string;
  required?: boolean;
  default?: string;
}

interface ActionStep {
  name?: string;
  id?: string;
  shell?: string;
  env?: Record<string, string>;
  run?: string;
  [key: string]: unknown;
}

export interface CompositeAction {
  name?: string;
  description?: string;
  inputs?: Record<string, ActionInput>;
  outputs?: Record<string, { description?: string; value?: string }>;
  runs?: { using?: string; steps?: ActionStep[] };
}

export interface ActionRun {
  /** 0, or the exit code of the step that failed. */
  code: number;
  /** Every step's stdout and stderr, in order. */
  log: string;
  /** The names of the steps that ran (the last one is the one that failed, if one did). */
  ran: string[];
  outputs: Record<string, string>;
  /** What the steps wrote to GITHUB_ENV and GITHUB_PATH: what the job's later steps get. */
  env: Record<string, string>;
  path: string[];
}

const EXPRESSION = /\$\{\{(.*?)\}\}/g;

export function readAction(dir: string): CompositeAction {
  return parse(readFileSync(join(dir, "action.yml"), "utf8")) as CompositeAction;
}

/** What GitHub requires of a composite action's metadata, and what this runner can run. */
export function actionProblems(action: CompositeAction): string[] {
  const problems: string[] = [];
  if (!action.name) problems.push("no name");
  if (!action.description) problems.push("no description");
  if (action.runs?.using !== "composite") problems.push("runs.using is not composite");
  const steps = action.runs?.steps ?? [];
  if (steps.length === 0) problems.push("no runs.steps");
  for (const [name, input] of Object.entries(action.inputs ?? {})) {
    if (!input.description) problems.push(`input ${name} has no description`);
  }
  const ids = new Set(steps.map((step) => step.id).filter(Boolean));
  for (const [name, output] of Object.entries(action.outputs ?? {})) {
    if (!output.description) problems.push(`output ${name} has no description`);
    if (!output.value) problems.push(`output ${name} has no value (a composite action's outputs need one)`);
    for (const [, inside] of (output.value ?? "").matchAll(EXPRESSION)) {
      const id = /^steps\.([\w-]+)\.outputs\.[\w-]+$/.exec(inside!.trim())?.[1];
      if (!id || !ids.has(id)) problems.push(`output ${name} refers to ${inside!.trim()}, no step's output`);
    }
  }
  steps.forEach((step, i) => {
    const what = `step ${step.name ?? i + 1}`;
    if (!step.run) problems.push(`${what} has no run (this runner runs only run steps)`);
    if (!step.shell) problems.push(`${what} has no shell (a composite action's run steps need one)`);
    else if (!(step.shell in SHELLS)) problems.push(`${what} has shell ${step.shell}`);
    for (const text of [step.run ?? "", ...Object.values(step.env ?? {})]) {
      for (const [, inside] of String(text).matchAll(EXPRESSION)) {
        const input = /^inputs\.([\w-]+)$/.exec(inside!.trim())?.[1];
        if (!input || !action.inputs?.[input]) problems.push(`${what} refers to ${inside!.trim()}, no input`);
      }
    }
  });
  return problems;
}

export async function runCompositeAction(
  dir: string,
  options: {
    /** Given inputs; one left undefined takes its default, as one a workflow leaves out. */
    inputs: Record<string, string | undefined>;
    /** The job's environment (PATH, RUNNER_TEMP, ACTIONS_ID_TOKEN_REQUEST_URL, …). */
    env: Record<string, string>;
    /** A directory of the job's own. */
    workDir: string;
  },
): Promise<ActionRun> {
  const action = readAction(dir);
  const problems = actionProblems(action);
  if (problems.length > 0) throw new Error(`${dir}/action.yml: ${problems.join("; ")}`);
  const declared = action.inputs ?? {};
  for (const name of Object.keys(options.inputs)) {
    if (!declared[name]) throw new Error(`the action has no input ${name}`);
  }
  const inputs: Record<string, string> = {};
  for (const [name, input] of Object.entries(declared)) {
    const value = options.inputs[name] ?? input.default ?? "";
    if (input.required && value === "") throw new Error(`input ${name} is required`);
    inputs[name] = value;
  }
  const withInputs = (text: string) =>
    text.replace(EXPRESSION, (_whole, inside: string) => inputs[inside.trim().slice("inputs.".length)]!);

  const work = mkdtempSync(join(options.workDir, "runner-"));
  const files = { log: join(work, "log"), env: join(work, "github-env"), path: join(work, "github-path") };
  writeFileSync(files.env, "");
  writeFileSync(files.path, "");
  const run: ActionRun = { code: 0, log: "", ran: [], outputs: {}, env: {}, path: [] };
  const stepOutputs: Record<string, Record<string, string>> = {};
  for (const [i, step] of action.runs!.steps!.entries()) {
    const output = join(work, `github-output-${i}`);
    writeFileSync(output, "");
    const env = {
      ...options.env,
      ...run.env,
      PATH: [...run.path, options.env.PATH].join(":"),
      ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, withInputs(String(v))])),
      GITHUB_ACTION_PATH: dir,
      GITHUB_ENV: files.env,
      GITHUB_PATH: files.path,
      GITHUB_OUTPUT: output,
    };
    run.ran.push(step.name ?? `step ${i + 1}`);
    run.code = await runShellStep({
      shell: step.shell!,
      script: withInputs(step.run!),
      env,
      workDir: work,
      logFile: files.log,
    });
    if (run.code !== 0) break;
    run.env = fileCommand(files.env);
    run.path = readFileSync(files.path, "utf8").split("\n").filter(Boolean).reverse();
    if (step.id) stepOutputs[step.id] = fileCommand(output);
  }
  run.log = readLog(files.log);
  if (run.code === 0) {
    for (const [name, output] of Object.entries(action.outputs ?? {})) {
      run.outputs[name] = output.value!.replace(EXPRESSION, (_whole, inside: string) => {
        const [, id, key] = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(inside.trim())!;
        return stepOutputs[id!]?.[key!] ?? "";
      });
    }
  }
  return run;
}

/** GITHUB_ENV's and GITHUB_OUTPUT's format: NAME=value, or NAME<<DELIMITER … DELIMITER. */
function fileCommand(file: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = readFileSync(file, "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      values[heredoc[1]!] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (line.includes("=")) {
      values[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
    }
  }
  return values;
}
