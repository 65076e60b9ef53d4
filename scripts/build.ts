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
 * dist/ui/ is the web console (src/console/ui, Preact): index.html and content-hashed, minified
 * assets/app-<hash>.js and .css, for the browser, and chunk-<hash>.js for what a page imports
 * dynamically (the session player). No inline script or style (the console's CSP allows only
 * 'self') and nothing remote; the build fails when the first load's JavaScript exceeds
 * CONSOLE_JS_GZIP_LIMIT compressed.
 *
 * Importing this file builds nothing (the console's unit test uses buildConsole); running it
 * builds everything.
 */
import { execFileSync } from "node:child_process";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { basename, join } from "node:path";
import { gzipSync } from "node:zlib";
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
/** The OS keyring's binding (src/cli/cache/session-keyring.ts), a native addon: never bundled. */
export const KEYRING_MODULE = "@napi-rs/keyring";
/** The console's first load may carry at most this much JavaScript, gzip-compressed (issue 18). */
export const CONSOLE_JS_GZIP_LIMIT = 200 * 1024;

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

if (import.meta.main) {
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
    // A native addon cannot be bundled: the package's node_modules has it at run time.
    external: [KEYRING_MODULE],
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
  const ui = await buildConsole(join(dist, "ui"));
  const lazy = ui.lazyChunks.map((c) => `${c.name} ${kib(c.gzipBytes)}`).join(", ");
  console.log(
    `built dist/ui/ (${ui.script}: ${kib(ui.scriptGzipBytes)} gzip, the limit is ${kib(CONSOLE_JS_GZIP_LIMIT)}; loaded on demand: ${lazy || "nothing"})`,
  );
}

/** The commit being built, as a JS expression; a checkout without git (a container build) has none. */
export function gitCommit(): string {
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

export interface ConsoleBuild {
  /** The asset names, as index.html links them (under /ui/assets/). */
  script: string;
  stylesheet: string;
  /** The first load's JavaScript, gzip-compressed: the entry and any chunk it imports statically. */
  scriptGzipBytes: number;
  /** Chunks only a dynamic import loads (the session player), with their gzip-compressed sizes. */
  lazyChunks: { name: string; gzipBytes: number }[];
}

/**
 * The web console into `outdir`: assets/app-<hash>.js and .css (the hash is of the content, so
 * the server may cache them forever), chunk-<hash>.js for each dynamic import, and index.html,
 * which only links the first two.
 */
export async function buildConsole(outdir: string): Promise<ConsoleBuild> {
  await rm(outdir, { recursive: true, force: true });
  const assets = join(outdir, "assets");
  const result = await build({
    entryPoints: { app: join(root, "src/console/ui/main.tsx") },
    tsconfig: join(root, "src/console/ui/tsconfig.json"),
    bundle: true,
    platform: "browser",
    format: "esm",
    target: ["es2022"],
    jsx: "automatic",
    jsxImportSource: "preact",
    minify: true,
    legalComments: "none",
    outdir: assets,
    entryNames: "[name]-[hash]",
    // A page's heavy dependency (asciinema-player) is imported dynamically, into a chunk of its
    // own that loads when that page opens, so it does not weigh on every first load.
    splitting: true,
    chunkNames: "chunk-[hash]",
    metafile: true,
    logLevel: "warning",
  });
  const outputs = Object.entries(result.metafile.outputs);
  const [scriptPath, entry] = outputs.find(([, output]) => output.entryPoint !== undefined)!;
  const stylesheetPath = entry.cssBundle;
  if (!stylesheetPath) throw new Error("the console build made no stylesheet");
  const script = basename(scriptPath);
  const stylesheet = basename(stylesheetPath);
  const gzipBytes = async (path: string) =>
    gzipSync(await readFile(join(assets, basename(path))), { level: 9 }).length;
  // The first load is the entry and whatever it imports statically (esbuild makes such a chunk
  // when the entry and a dynamic import share code); everything else loads on demand.
  const firstLoad = new Set<string>();
  const visit = (path: string) => {
    if (firstLoad.has(path)) return;
    firstLoad.add(path);
    for (const i of result.metafile.outputs[path]?.imports ?? [])
      if (i.kind === "import-statement") visit(i.path);
  };
  visit(scriptPath);
  let scriptGzipBytes = 0;
  for (const path of firstLoad) scriptGzipBytes += await gzipBytes(path);
  const lazyChunks: ConsoleBuild["lazyChunks"] = [];
  for (const [path] of outputs) {
    if (path.endsWith(".js") && !firstLoad.has(path))
      lazyChunks.push({ name: basename(path), gzipBytes: await gzipBytes(path) });
  }
  checkConsoleBudget(script, scriptGzipBytes);
  await mkdir(outdir, { recursive: true });
  await writeFile(join(outdir, "index.html"), consoleHtml(script, stylesheet));
  return { script, stylesheet, scriptGzipBytes, lazyChunks };
}

/** Throws, naming the size, when the first load's compressed JavaScript is over the limit. */
export function checkConsoleBudget(script: string, gzipBytes: number, limit = CONSOLE_JS_GZIP_LIMIT): void {
  if (gzipBytes > limit) {
    throw new Error(
      `${script}: the console's first load is ${gzipBytes} bytes (${kib(gzipBytes)}) of gzip-compressed JavaScript; the limit is ${limit} bytes (${kib(limit)})`,
    );
  }
}

/**
 * The page every /ui/ path serves. Asset URLs are absolute (the page is served at
 * /ui/requests/<id> too); the icon is an empty data: URL, so the browser asks for no
 * /favicon.ico (img-src allows data:).
 */
export function consoleHtml(script: string, stylesheet: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>kube-broker</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui/assets/${stylesheet}">
<script type="module" src="/ui/assets/${script}"></script>
</head>
<body>
<div id="app"></div>
<noscript>The kube-broker console needs JavaScript; the kubectl broker plugin does everything it does.</noscript>
</body>
</html>
`;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
