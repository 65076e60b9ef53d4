import { sep } from "node:path";
import type { CliContext } from "./context.ts";

/** How this kubectl-broker was installed, as `kubectl broker version` reports it. */
export interface Installation {
  /** krew and release: a single executable; npm: the package's script run by Node. */
  method: "krew" | "release" | "npm" | "source";
  /** The executable, or the script. */
  path: string;
  /** The Node.js binary that runs the script (not for a single executable, which is its own). */
  node?: string;
}

/**
 * Read from where the running program is: krew keeps plugins under ~/.krew/store/<name>/,
 * npm under node_modules/kube-broker/; any other single executable came from a release
 * archive, and any other script from a checkout.
 */
export function installationOf(self: CliContext["self"]): Installation {
  if (self.singleExecutable) {
    const krew =
      self.node.includes(`${sep}.krew${sep}store${sep}`) || self.node.includes(`${sep}krew${sep}store${sep}`);
    return { method: krew ? "krew" : "release", path: self.node };
  }
  const npm = self.script.includes(`${sep}node_modules${sep}kube-broker${sep}`);
  return { method: npm ? "npm" : "source", path: self.script, node: self.node };
}

export function installationText(installation: Installation): string {
  const how = {
    krew: "a single executable installed by krew",
    release: "a single executable from a release archive",
    npm: "the npm package, run by Node.js",
    source: "a script outside any package (a checkout), run by Node.js",
  }[installation.method];
  return `${how}: ${installation.path}${installation.node ? ` (${installation.node})` : ""}`;
}
