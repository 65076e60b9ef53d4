import { existsSync } from "node:fs";
import { basename, join, resolve, sep } from "node:path";
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
 * Read from where the running program is: krew keeps plugins under
 * $KREW_ROOT/store/<name>/<version>/ (KREW_ROOT is ~/.krew unless set), npm under
 * node_modules/kube-broker/; any other single executable came from a release archive, and any
 * other script from a checkout.
 */
export function installationOf(self: CliContext["self"], env: CliContext["env"] = {}): Installation {
  if (self.singleExecutable) {
    return { method: krewStore(self.node, env) ? "krew" : "release", path: self.node };
  }
  const npm = self.script.includes(`${sep}node_modules${sep}kube-broker${sep}`);
  return { method: npm ? "npm" : "source", path: self.script, node: self.node };
}

/**
 * What a kubeconfig's exec entry should run for this single executable. krew's copy sits in a
 * directory named for its version, which `kubectl krew upgrade` deletes; the link krew keeps in
 * $KREW_ROOT/bin (kubectl-<name>, dashes made underscores as kubectl expects) follows every
 * upgrade, so a kubeconfig written under krew names the link, when it is there.
 */
export function stableExecutable(self: CliContext["self"], env: CliContext["env"] = {}): string {
  const store = krewStore(self.node, env);
  if (!store) return self.node;
  const exe = self.node.endsWith(".exe") ? ".exe" : "";
  const link = join(store.root, "bin", `kubectl-${store.plugin.replaceAll("-", "_")}${exe}`);
  return existsSync(link) ? link : self.node;
}

/** $KREW_ROOT/store/<plugin>/v<version>/<file>: krew's layout (sigs.k8s.io/krew, internal/environment). */
const STORE_PATH = /^(.+)[\\/]store[\\/]([\w-]+)[\\/]v[^\\/]+[\\/][^\\/]+$/;

function krewStore(path: string, env: CliContext["env"]): { root: string; plugin: string } | undefined {
  const match = STORE_PATH.exec(path);
  if (!match) return undefined;
  const [, root, plugin] = match as unknown as [string, string, string];
  const krewRoot = env.KREW_ROOT ? resolve(env.KREW_ROOT) : undefined;
  const named = basename(root) === ".krew" || basename(root) === "krew";
  return named || root === krewRoot ? { root, plugin } : undefined;
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
