import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";

const run = promisify(execFile);

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** `kubectl kustomize <dir>`, every document parsed; throws on any YAML error. */
export async function render(dir: string): Promise<Manifest[]> {
  const { stdout } = await run("kubectl", ["kustomize", dir], { timeout: 30_000 });
  return parseAllDocuments(stdout).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${dir}: ${doc.errors[0]!.message}`);
    return doc.toJS() as Manifest;
  });
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}

export const rulesOf = (manifest: Manifest): PolicyRule[] =>
  (manifest.rules as PolicyRule[] | undefined) ?? [];
