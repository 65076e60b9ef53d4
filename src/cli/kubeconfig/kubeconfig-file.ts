import { readFileSync, realpathSync } from "node:fs";
import { delimiter, join } from "node:path";
import { writeFileAtomic } from "../cache/cache-files.ts";
import { CliError } from "../cli-error.ts";

/** --file, else the first file of KUBECONFIG, else ~/.kube/config: where kubectl writes too. */
export function kubeconfigPath(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  homeDir: string,
): string {
  const fromEnv = env.KUBECONFIG?.split(delimiter).find((part) => part !== "");
  return flag || fromEnv || join(homeDir, ".kube", "config");
}

export function readKubeconfigText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw new CliError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? "unreadable"}`);
  }
}

/** Writes in one step, mode 0600 (it may hold tokens); a symlinked kubeconfig keeps its link. */
export function writeKubeconfig(path: string, text: string): void {
  let real = path;
  try {
    real = realpathSync(path);
  } catch {
    // Not there yet: written where asked.
  }
  writeFileAtomic(real, text, 0o600);
}
