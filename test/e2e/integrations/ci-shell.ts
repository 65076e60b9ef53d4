/**
 * Runs a CI step's script as a runner does: the script's text in a file, run by the step's
 * shell, stdout and stderr into one log in the order they were written (what the job's log
 * shows, and where a secret must not appear before it is masked).
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Shells as GitHub runs `shell: bash` and `shell: sh`, and as GitLab's runner runs sh. */
export const SHELLS: Record<string, string[]> = {
  bash: ["bash", "--noprofile", "--norc", "-eo", "pipefail"],
  sh: ["sh", "-e"],
};

export interface ShellStep {
  shell: keyof typeof SHELLS;
  script: string;
  env: Record<string, string>;
  /** A directory of the job's own, for the script file. */
  workDir: string;
  /** Appended to: the job's log. */
  logFile: string;
}

let scripts = 0;

/** Resolves with the script's exit code (not execFileSync: the broker runs in this process). */
export function runShellStep(step: ShellStep): Promise<number> {
  const file = join(step.workDir, `step-${++scripts}.sh`);
  writeFileSync(file, step.script);
  const [shell, ...args] = SHELLS[step.shell]!;
  const log = openSync(step.logFile, "a");
  return new Promise((resolve, reject) => {
    const child = spawn(shell!, [...args, file], { env: step.env, stdio: ["ignore", log, log] });
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  }).finally(() => closeSync(log)) as Promise<number>;
}

export function readLog(logFile: string): string {
  try {
    return readFileSync(logFile, "utf8");
  } catch {
    return "";
  }
}
