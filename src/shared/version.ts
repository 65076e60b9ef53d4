import packageJson from "../../package.json" with { type: "json" };

/**
 * What this build of kube-broker is: the server's GET /version, `kube-broker --version`, and
 * the client half of `kubectl broker version`. Nothing secret: a name, versions, a commit.
 */
export interface VersionInfo {
  name: string;
  version: string;
  /** The commit the bundle was built from; absent when run from the sources, or built without git. */
  gitCommit?: string;
  /** The Node.js running it. */
  node: string;
}

/** scripts/build.ts defines it (esbuild `define`); from the sources it is not there at all. */
declare const KUBE_BROKER_GIT_COMMIT: string | undefined;

export function versionInfo(name: string): VersionInfo {
  const gitCommit = typeof KUBE_BROKER_GIT_COMMIT === "string" ? KUBE_BROKER_GIT_COMMIT : undefined;
  return {
    name,
    version: packageJson.version,
    ...(gitCommit ? { gitCommit } : {}),
    node: process.version,
  };
}
