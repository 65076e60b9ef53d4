/**
 * `npm run build`: the shipped JavaScript in dist/.
 *
 * dist/kubectl-broker.js, the kubectl plugin, is two builds, both bundling everything (it
 * runs from anywhere, kubectl included):
 * - the entry, src/cli/main.ts: one file that answers `credential` from the token cache on
 *   its own. kubectl starts it before every request, so it may not contain a single import
 *   statement: Node built-ins are reached through process.getBuiltinModule (an ESM `import`
 *   of a built-in costs each start several milliseconds of loader work), and the rest of the
 *   CLI is one dynamic import of
 * - dist/cli/app.js, src/cli/run-cli.ts and the commands, split into chunks loaded as needed.
 * dist/kubectl_complete-broker.js is what kubectl 1.26+ runs to complete `kubectl broker …`
 * (it looks for kubectl_complete-<plugin> on PATH): a few lines that run the plugin's
 * `__complete`.
 * dist/kube-broker.js is the server, src/main.ts bundled, node_modules left as imports.
 */
import { execFileSync } from "node:child_process";
import { chmod, readFile, rm, writeFile } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { join } from "node:path";
import { type BuildOptions, build, type Metafile, type Plugin } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const dist = join(root, "dist");
const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node24",
  logLevel: "warning",
  // src/shared/version.ts: the commit both programs report (`kube-broker --version`, GET /version).
  define: { KUBE_BROKER_GIT_COMMIT: gitCommit() },
} as const;
const cli: BuildOptions = { ...common, outdir: dist, minify: true, legalComments: "none", metafile: true };

/** `import { readFileSync } from "node:fs"` becomes a property of process.getBuiltinModule("node:fs"). */
const builtinsWithoutImports: Plugin = {
  name: "builtins-without-imports",
  setup(b) {
    b.onResolve({ filter: /^[a-z:_/]+$/ }, (args) =>
      isBuiltin(args.path) ? { path: args.path, namespace: "builtin" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "builtin" }, (args) => ({
      contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});`,
      loader: "js",
    }));
  },
};

/** main.ts's `import("./run-cli.ts")` stays a dynamic import, of the app build's output. */
const appOutsideEntry: Plugin = {
  name: "app-outside-entry",
  setup(b) {
    b.onResolve({ filter: /^\.\/run-cli\.ts$/ }, () => ({ path: "./cli/app.js", external: true }));
  },
};

await rm(join(dist, "cli"), { recursive: true, force: true });
const entry = await build({
  ...cli,
  entryPoints: { "kubectl-broker": join(root, "src/cli/main.ts") },
  plugins: [appOutsideEntry, builtinsWithoutImports],
});
await build({
  ...cli,
  entryPoints: { "cli/app": join(root, "src/cli/run-cli.ts") },
  splitting: true,
  chunkNames: "cli/[name]-[hash]",
  plugins: [builtinsWithoutImports],
});
await build({
  ...common,
  entryPoints: { "kube-broker": join(root, "src/main.ts") },
  outdir: dist,
  packages: "external",
});

await writeFile(
  join(dist, "kubectl_complete-broker.js"),
  `#!/usr/bin/env node
// kubectl (1.26 and later) runs kubectl_complete-broker with the words after "kubectl broker"
// to complete them: this is kubectl-broker __complete (src/cli/completion/complete.ts).
process.argv.splice(2, 0, "__complete");
await import("./kubectl-broker.js");
`,
);
for (const bin of ["kubectl-broker.js", "kubectl_complete-broker.js", "kube-broker.js"]) {
  const path = join(dist, bin);
  if (!(await readFile(path, "utf8")).startsWith("#!/usr/bin/env node\n"))
    throw new Error(`${bin}: no #! line`);
  await chmod(path, 0o755);
}
checkEntry(entry.metafile!);
console.log(
  "built dist/kubectl-broker.js (+ dist/cli/), dist/kubectl_complete-broker.js and dist/kube-broker.js",
);

/** The commit being built, as a JS expression; a checkout without git (a container build) has none. */
function gitCommit(): string {
  try {
    const commit = execFileSync("git", ["rev-parse", "HEAD"], {
      cwd: root,
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim();
    return /^[0-9a-f]{40}$/.test(commit) ? JSON.stringify(commit) : "undefined";
  } catch {
    return "undefined";
  }
}

/** The cached path's promise, kept by the build rather than by hope (test/bench/exec-plugin.ts). */
function checkEntry(metafile: Metafile): void {
  const [name, output] = Object.entries(metafile.outputs).find(([path]) =>
    path.endsWith("kubectl-broker.js"),
  )!;
  const imports = output.imports.map((i) => `${i.kind} ${i.path}`);
  if (imports.join() !== "dynamic-import ./cli/app.js")
    throw new Error(`${name} must import only ./cli/app.js, dynamically; it imports ${imports.join(", ")}`);
  if (output.bytes > 32 * 1024)
    throw new Error(`${name} is ${output.bytes} bytes; the cached path should stay small`);
}
