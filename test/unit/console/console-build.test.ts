import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import {
  buildConsole,
  CONSOLE_JS_GZIP_LIMIT,
  type ConsoleBuild,
  checkConsoleBudget,
} from "../../../scripts/build.ts";

describe("the console build", () => {
  let dir: string;
  let built: ConsoleBuild;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kb-console-"));
    built = await buildConsole(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("writes index.html and content-hashed assets, and nothing else", async () => {
    assert.deepEqual((await readdir(dir)).sort(), ["assets", "index.html"]);
    const chunks = built.lazyChunks.map((c) => c.name);
    assert.deepEqual(
      (await readdir(join(dir, "assets"))).sort(),
      [built.stylesheet, built.script, ...chunks].sort(),
    );
    assert.match(built.script, /^app-[A-Z0-9]{8}\.js$/);
    assert.match(built.stylesheet, /^app-[A-Z0-9]{8}\.css$/);
    for (const chunk of chunks) assert.match(chunk, /^chunk-[A-Z0-9]{8}\.js$/);
  });

  it("leaves the session player out of the first load: a chunk that only a dynamic import loads", async () => {
    const js = await readFile(join(dir, "assets", built.script), "utf8");
    const player = [];
    for (const { name } of built.lazyChunks) {
      const text = await readFile(join(dir, "assets", name), "utf8");
      if (text.includes("WebAssembly")) player.push(name);
    }
    assert.equal(player.length, 1, `one lazy chunk holds the player: ${built.lazyChunks.map((c) => c.name)}`);
    assert.ok(js.includes(`import("./${player[0]}")`), "the app imports the player's chunk dynamically");
    assert.doesNotMatch(js, /WebAssembly/, "the player is not in the first load");
  });

  it("index.html links its assets by absolute path and has no inline script or style", async () => {
    const html = await readFile(join(dir, "index.html"), "utf8");
    assert.match(html, new RegExp(`<script type="module" src="/ui/assets/${built.script}"></script>`));
    assert.match(html, new RegExp(`<link rel="stylesheet" href="/ui/assets/${built.stylesheet}">`));
    assert.equal([...html.matchAll(/<script\b/g)].length, 1, "one script, by src");
    assert.doesNotMatch(html, /<style\b|\sstyle=|\son[a-z]+=|javascript:/i);
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, "no remote asset");
  });

  it("the stylesheet loads nothing remote, and carries the player's", async () => {
    const css = await readFile(join(dir, "assets", built.stylesheet), "utf8");
    assert.doesNotMatch(css, /@import|url\(\s*["']?(https?:)?\/\//);
    assert.match(css, /\.ap-player\b/);
  });

  it("keeps the first load's compressed JavaScript under the limit, and reports its size", async () => {
    const js = await readFile(join(dir, "assets", built.script));
    assert.equal(built.scriptGzipBytes, gzipSync(js, { level: 9 }).length);
    assert.ok(built.scriptGzipBytes <= CONSOLE_JS_GZIP_LIMIT, `${built.scriptGzipBytes} bytes`);
  });

  it("fails the build past the limit, naming the size", () => {
    assert.equal(CONSOLE_JS_GZIP_LIMIT, 200 * 1024);
    checkConsoleBudget("app.js", CONSOLE_JS_GZIP_LIMIT);
    assert.throws(
      () => checkConsoleBudget("app-X.js", CONSOLE_JS_GZIP_LIMIT + 1),
      /app-X\.js: .* 204801 bytes .*gzip-compressed JavaScript; the limit is 204800 bytes/,
    );
  });
});
