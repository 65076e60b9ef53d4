import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { runCli } from "./cli-process.ts";
import { type Developer, useDeveloper } from "./developer.ts";

/**
 * One context, many namespaces, with real kubectl: -n repeated reaches each named namespace;
 * no -n reaches every namespace dev's standing rule allows (team-*), new ones included.
 */
describe("a kubeconfig context that reaches several namespaces", () => {
  const developer = useDeveloper();
  let dev: Developer;
  before(async () => {
    dev = developer();
    assert.equal((await dev.login()).code, 0);
  });

  const contextFor = async (name: string, namespaces: string[]) => {
    const file = join(dev.kubectl.dir, `${name}.kubeconfig`);
    const written = await runCli(
      [
        "kubeconfig",
        "--cluster",
        "test",
        "--role",
        "view",
        ...namespaces.flatMap((n) => ["-n", n]),
        "--file",
        file,
      ],
      dev.env,
    );
    assert.equal(written.code, 0, written.stderr);
    return { file, context: written.stdout.trim() };
  };
  const pods = (file: string, namespace: string) => dev.kubectl.run(file, ["get", "pods", "-n", namespace]);

  it("with -n repeated, reaches each namespace named, the first by default", async () => {
    const { file, context } = await contextFor("two", ["team-a", "team-b"]);
    assert.equal(context, "broker-test-view-team-a+team-b");
    const byDefault = await dev.kubectl.run(file, ["get", "pods"]);
    assert.equal(byDefault.code, 0, byDefault.stderr);
    assert.match(byDefault.stdout, /web-1/, "team-a is the context's namespace");
    assert.equal((await pods(file, "team-b")).code, 0);
    const outside = await pods(file, "payments");
    assert.notEqual(outside.code, 0, "a namespace not named is not reached");
  });

  it("without -n, reaches every namespace the standing rule allows, including one created later", async () => {
    const { file, context } = await contextFor("all", []);
    assert.equal(context, "broker-test-view");
    for (const namespace of ["team-a", "team-b"]) {
      const result = await pods(file, namespace);
      assert.equal(result.code, 0, `${namespace}: ${result.stderr}`);
    }
    assert.notEqual((await pods(file, "payments")).code, 0, "payments is not a team namespace");

    const admin = await dev.kubectl.run(dev.stack.adminKubeconfig, ["create", "namespace", "team-new"]);
    assert.equal(admin.code, 0, admin.stderr);
    const deadline = Date.now() + 10_000;
    let latest = await pods(file, "team-new");
    while (latest.code !== 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      latest = await pods(file, "team-new");
    }
    assert.equal(latest.code, 0, `the new team namespace is reached while the grant lasts: ${latest.stderr}`);
  });
});
