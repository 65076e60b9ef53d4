import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { checkImports } from "../../../scripts/check-imports.ts";

const script = join(import.meta.dirname, "../../../scripts/check-imports.ts");
const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** Features src/audit, src/grants, src/identity and src/identity/ci; the libraries and src/cli. */
const FEATURES = {
  "src/audit/index.ts": "",
  "src/grants/index.ts": "",
  "src/identity/index.ts": "",
  "src/identity/ci/index.ts": "",
};

function writeTree(tree: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "check-imports-"));
  roots.push(root);
  for (const [file, source] of Object.entries(tree)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), source);
  }
  return root;
}

/** The violations in the tree (plus FEATURES), as `path:line: message`. */
function check(tree: Record<string, string>): string[] {
  const files = { ...FEATURES, ...tree };
  return checkImports(writeTree(files), Object.keys(files)).map((v) => `${v.file}:${v.line}: ${v.message}`);
}

const SRC_ONLY =
  "src/ imports only src/ (production code must not depend on test or development code): move what is needed into src/";
const srcOnly = (file: string, target: string) => `${file}: imports ${target}; ${SRC_ONLY}`;
const reachesInto = (file: string, target: string, index: string) =>
  `${file}: reaches into ${target}; import ${index} instead`;
const cliValue = (file: string, target: string, index: string) =>
  `${file}: imports ${target} as a value; src/cli takes only types from features (erased from the plugin bundle): use \`import type\` from ${index}, or move the code into src/shared`;

describe("checkImports: what counts as an import", () => {
  it("finds static, side-effect, re-export, dynamic and multi-line imports, at the statement's line", () => {
    const source = [
      'import { a } from "../test/a.ts";',
      'import "../test/b.ts";',
      'export { c } from "../test/c.ts";',
      'export * as d from "../test/d.ts";',
      'const e = await import("../test/e.ts");',
      "import {",
      "  f,",
      "  g as h,",
      '} from "../test/f.ts";',
      'import def, * as ns from "./../test/g.ts";',
      'import { readFile } from "node:fs";',
      'import { z } from "zod";',
      'import { ok } from "./shared/ok.ts";',
    ].join("\n");
    assert.deepEqual(check({ "src/main.ts": source }), [
      srcOnly("src/main.ts:1", "test/a.ts"),
      srcOnly("src/main.ts:2", "test/b.ts"),
      srcOnly("src/main.ts:3", "test/c.ts"),
      srcOnly("src/main.ts:4", "test/d.ts"),
      srcOnly("src/main.ts:5", "test/e.ts"),
      srcOnly("src/main.ts:6", "test/f.ts"),
      srcOnly("src/main.ts:10", "test/g.ts"),
    ]);
  });

  it("ignores commented-out imports, and strings that look like comments hide nothing", () => {
    const source = [
      '// import "../test/a.ts";',
      '/* import { b } from "../test/b.ts"; */',
      "/**",
      ' * import("../test/c.ts")',
      " */",
      'const glob = "src/**/*.ts"; // a glob, not a comment',
      'import "../test/d.ts";',
      'const url = "http://example.com"; import "../test/e.ts";',
      'const slash = /\\/\\//; import "../test/f.ts";',
      'const tpl = `// in a template`; import "../test/t.ts";',
      'import "../test/g.ts"; /* import "../test/h.ts" */ import "../test/i.ts";',
      "const quote = /[\"]/; // a quote in a regex ends at the line's end",
      '// import "../test/j.ts";',
    ].join("\n");
    assert.deepEqual(check({ "src/main.ts": source }), [
      srcOnly("src/main.ts:7", "test/d.ts"),
      srcOnly("src/main.ts:8", "test/e.ts"),
      srcOnly("src/main.ts:9", "test/f.ts"),
      srcOnly("src/main.ts:10", "test/t.ts"),
      srcOnly("src/main.ts:11", "test/g.ts"),
      srcOnly("src/main.ts:11", "test/i.ts"),
    ]);
  });

  it("counts an import as type-only with `type` on the statement or on every named specifier", () => {
    const source = [
      'import type { A } from "../grants/index.ts";',
      'import type B from "../grants/index.ts";',
      'import { type C, type D } from "../grants/index.ts";',
      'export type { E } from "../grants/index.ts";',
      'export { type F } from "../grants/index.ts";',
      'import { type G, h } from "../grants/index.ts";',
      'import i, { type J } from "../grants/index.ts";',
      'import * as k from "../grants/index.ts";',
      'import {} from "../grants/index.ts";',
      'const l = await import("../grants/index.ts");',
    ].join("\n");
    const index = "src/grants/index.ts";
    assert.deepEqual(check({ "src/cli/x.ts": source }), [
      cliValue("src/cli/x.ts:6", index, index),
      cliValue("src/cli/x.ts:7", index, index),
      cliValue("src/cli/x.ts:8", index, index),
      cliValue("src/cli/x.ts:9", index, index),
      cliValue("src/cli/x.ts:10", index, index),
    ]);
  });
});

describe("checkImports: the rules", () => {
  it("1: src/ imports only src/ (the root package.json, data, aside)", () => {
    const source = [
      'import "../test/support/fake.ts";',
      'import "../tools/free-port.ts";',
      'import "../scripts/build.ts";',
      'import pkg from "../package.json" with { type: "json" };',
      'import "./shared/log.ts";',
    ].join("\n");
    assert.deepEqual(
      check({ "src/main.ts": source, "src/cli/broker/http.ts": 'import "../../../package.json";' }),
      [
        srcOnly("src/main.ts:1", "test/support/fake.ts"),
        srcOnly("src/main.ts:2", "tools/free-port.ts"),
        srcOnly("src/main.ts:3", "scripts/build.ts"),
      ],
    );
  });

  it("2: tools/ imports only tools/", () => {
    const source = [
      'import "../free-port.ts";',
      'import "./server.ts";',
      'import "../../src/shared/log.ts";',
      'import "../../test/support/fake.ts";',
      'import "../../package.json";',
    ].join("\n");
    const message =
      "tools/ import only tools/ (they stand alone for the tests, the demo and docker-compose): copy what is needed into tools/";
    assert.deepEqual(check({ "tools/stand-in/cli.ts": source }), [
      `tools/stand-in/cli.ts:3: imports src/shared/log.ts; ${message}`,
      `tools/stand-in/cli.ts:4: imports test/support/fake.ts; ${message}`,
      `tools/stand-in/cli.ts:5: imports package.json; ${message}`,
    ]);
  });

  it("3: a feature is entered through its index.ts, except from inside it", () => {
    assert.deepEqual(
      check({
        "src/gateway/admission.ts": [
          'import "../grants/index.ts";',
          'import "../shared/log.ts";',
          'import "../grants/grant-store.ts";',
          'import "../audit/write/spool.ts";',
          'import "../http/listener.ts";',
          'import "../config/load.ts";',
          'import "../util/no-index-here.ts";',
        ].join("\n"),
        "src/identity/login.ts": [
          'import "./claims.ts";',
          'import "./ci/index.ts";',
          'import "./ci/rules.ts";',
        ].join("\n"),
        "src/identity/ci/rules.ts": 'import "../claims.ts";\nimport "./token.ts";',
        "src/audit/read/sse.ts": 'import "../write/spool.ts";\nimport "../index.ts";',
        "src/main.ts": 'import "./grants/index.ts";\nimport("./grants/grant-routes.ts");',
      }),
      [
        reachesInto("src/gateway/admission.ts:3", "src/grants/grant-store.ts", "src/grants/index.ts"),
        reachesInto("src/gateway/admission.ts:4", "src/audit/write/spool.ts", "src/audit/index.ts"),
        reachesInto("src/identity/login.ts:3", "src/identity/ci/rules.ts", "src/identity/ci/index.ts"),
        reachesInto("src/main.ts:2", "src/grants/grant-routes.ts", "src/grants/index.ts"),
      ],
    );
  });

  it("4: the libraries import no feature and not src/cli", () => {
    const message =
      "is a library below the features and imports none: move the code into the library, or have the feature pass it in";
    assert.deepEqual(
      check({
        "src/shared/log.ts":
          'import "../grants/index.ts";\nimport "./clock.ts";\nimport "../config/load.ts";',
        "src/http/listener.ts": 'import type { A } from "../identity/ci/rules.ts";\nimport "../cli/args.ts";',
        "src/config/load.ts": 'import "../shared/log.ts";\nimport "../http/listener.ts";',
      }),
      [
        `src/shared/log.ts:1: imports src/grants/index.ts; src/shared ${message}`,
        `src/http/listener.ts:1: imports src/identity/ci/rules.ts; src/http ${message}`,
        "src/http/listener.ts:2: imports src/cli/args.ts; nothing outside src/cli imports the kubectl plugin: move what is shared into src/shared",
      ],
    );
  });

  it("5: src/cli takes only types from features, through index.ts, and nothing else in src/ imports it", () => {
    const plugin = "nothing outside src/cli imports the kubectl plugin: move what is shared into src/shared";
    assert.deepEqual(
      check({
        "src/cli/commands/grants.ts": [
          'import type { Grant } from "../../grants/index.ts";',
          'import type { Rule } from "../../identity/ci/index.ts";',
          'import { type Store } from "../../grants/grant-store.ts";',
          'import { toView } from "../../grants/grant-store.ts";',
          'import { log } from "../../shared/log.ts";',
          'import { listen } from "../../http/listener.ts";',
          'import { parseFlags } from "../args.ts";',
          'import { table } from "../output/index.ts";',
        ].join("\n"),
        "src/cli/output/index.ts": "",
        "src/gateway/admission.ts": 'import type { Args } from "../cli/args.ts";',
        "src/main.ts": 'await import("./cli/main.ts");',
      }),
      [
        reachesInto("src/cli/commands/grants.ts:3", "src/grants/grant-store.ts", "src/grants/index.ts"),
        cliValue("src/cli/commands/grants.ts:4", "src/grants/grant-store.ts", "src/grants/index.ts"),
        `src/gateway/admission.ts:1: imports src/cli/args.ts; ${plugin}`,
        `src/main.ts:1: imports src/cli/main.ts; ${plugin}`,
      ],
    );
  });

  it("6: test/ and scripts/ import anything", () => {
    const source = [
      'import "../../src/grants/grant-store.ts";',
      'import "../../src/cli/args.ts";',
      'import "../../tools/free-port.ts";',
      'import "../../scripts/build.ts";',
    ].join("\n");
    assert.deepEqual(
      check({
        "test/unit/x.test.ts": source,
        "scripts/x/build.ts": source,
        "scripts/demo.ts": 'import "../src/cli/main.ts";',
      }),
      [],
    );
  });
});

describe("check-imports.ts as a script", () => {
  const run = (root: string) =>
    spawnSync(process.execPath, [script], { cwd: join(root, "src"), encoding: "utf8" });

  it("prints path:line: message for each violation in git's files to stderr and exits 1", () => {
    const root = writeTree({
      ".gitignore": "ignored/\nsrc/generated.ts\n",
      "src/main.ts": '\nimport "../tools/free-port.ts";',
      "src/generated.ts": 'import "../test/fake.ts";',
      "tools/free-port.ts": 'import "../src/main.ts";',
      "test/x.test.ts": 'import "../src/main.ts";',
      "docs/example.ts": 'import "../test/fake.ts";',
    });
    spawnSync("git", ["init", "-q"], { cwd: root });
    const result = run(root);
    assert.equal(result.status, 1);
    assert.equal(result.stdout, "");
    assert.equal(
      result.stderr,
      [
        srcOnly("src/main.ts:2", "tools/free-port.ts"),
        "tools/free-port.ts:1: imports src/main.ts; tools/ import only tools/ (they stand alone for the tests, the demo and docker-compose): copy what is needed into tools/",
        "",
      ].join("\n"),
    );
  });

  it("exits 0 silently when every import keeps the rules", () => {
    const root = writeTree({ "src/main.ts": 'import "./shared/log.ts";', "src/shared/log.ts": "" });
    spawnSync("git", ["init", "-q"], { cwd: root });
    const result = run(root);
    assert.deepEqual([result.status, result.stdout, result.stderr], [0, "", ""]);
  });
});
