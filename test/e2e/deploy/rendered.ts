import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
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

/** deploy/ with the opt-in components named (deploy/components/<name>), as a user's kustomization would. */
export async function renderWith(components: string[]): Promise<Manifest[]> {
  const dir = await mkdtemp(join(tmpdir(), "kb-kustomize-"));
  try {
    // kustomize takes directories outside the kustomization's own only by relative path.
    const deploy = relative(dir, resolve("deploy"));
    const kustomization = [
      "resources:",
      `  - ${deploy}`,
      "components:",
      ...components.map((c) => `  - ${deploy}/components/${c}`),
    ];
    await writeFile(join(dir, "kustomization.yaml"), `${kustomization.join("\n")}\n`);
    return await render(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
