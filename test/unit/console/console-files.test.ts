import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ConsoleFiles, defaultConsoleDir } from "../../../src/console/console-files.ts";
import { loginFailedPage } from "../../../src/console/login-failed-page.ts";
import { BrokerError } from "../../../src/shared/errors.ts";

async function codeOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof BrokerError, String(err));
    return err.code;
  }
  return 200;
}

describe("the built console on disk", () => {
  let root: string;
  let files: ConsoleFiles;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "kb-console-files-"));
    await mkdir(join(root, "ui", "assets"), { recursive: true });
    await writeFile(join(root, "ui", "index.html"), "<!doctype html><title>console</title>");
    await writeFile(join(root, "ui", "assets", "app-1a2b3c.js"), "console.log(1)");
    await writeFile(join(root, "secret.txt"), "not for the web");
    files = new ConsoleFiles({ dir: join(root, "ui") });
  });
  after(() => rm(root, { recursive: true, force: true }));

  it("is found next to the bundle, or in the repository's dist/ when run from source", () => {
    assert.equal(defaultConsoleDir("/opt/kb/dist"), "/opt/kb/dist/ui");
    assert.equal(defaultConsoleDir("/repo/src/console"), "/repo/dist/ui");
    assert.match(defaultConsoleDir(), /\/dist\/ui$/, "this checkout's, not src/console/ui");
  });

  it("serves index.html and an asset with its type", async () => {
    assert.match((await files.index()).body.toString(), /<title>console<\/title>/);
    const asset = await files.asset("app-1a2b3c.js");
    assert.equal(asset.contentType, "text/javascript; charset=utf-8");
    assert.equal(asset.body.toString(), "console.log(1)");
  });

  it("answers 404 for a missing asset and for any way out of assets/", async () => {
    for (const path of [
      "nope.js",
      "",
      "../index.html",
      "../../secret.txt",
      "%2e%2e/%2e%2e/secret.txt",
      "..%2f..%2fsecret.txt",
      "%2E%2E%5C..%5Csecret.txt",
      ".hidden",
      "%zz",
      "a/../../secret.txt",
    ]) {
      assert.equal(await codeOf(files.asset(path)), 404, path);
    }
  });

  it("answers 503 when the console was not built", async () => {
    const unbuilt = new ConsoleFiles({ dir: join(root, "missing") });
    assert.equal(await codeOf(unbuilt.index()), 503);
    assert.equal(await codeOf(unbuilt.asset("app-1a2b3c.js")), 503);
  });
});

describe("the sign-in failed page", () => {
  it("says why for a known error and links back to sign-in with the return path", () => {
    const page = loginFailedPage({ error: "access_denied", return: "/ui/requests/abc" });
    assert.match(page, /declined the sign-in/);
    assert.match(page, /<a href="\/ui\/login\?return=%2Fui%2Frequests%2Fabc">Sign in again<\/a>/);
    assert.doesNotMatch(page, /<script|style=/i, "nothing the CSP would block");
  });

  it("never echoes markup or made-up text from the link", () => {
    const page = loginFailedPage({
      error: "<script>alert(1)</script> call 555-0100",
      return: '"><script>alert(1)</script>',
    });
    assert.doesNotMatch(page, /<script|555-0100/);
    assert.match(page, /The sign-in did not complete\./);
  });
});
