import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before } from "node:test";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { type Stack, type StackOptions, startStack } from "../../support/stack.ts";
import { cachePaths } from "./cache-paths.ts";
import { baseEnv, type CliEnv, type CliResult, NODE_PATH, runCli } from "./cli-process.ts";
import { scriptedLogin } from "./signed-in.ts";

/**
 * A developer's machine for a test file: the whole stack, the real kubectl in a sandbox
 * HOME, and the CLI with that same HOME (so the plugin kubectl runs sees the CLI's cache).
 */
export interface Developer {
  stack: Stack;
  kubectl: KubectlSandbox;
  env: CliEnv;
  paths: ReturnType<typeof cachePaths>;
  /** kubectl-broker with this developer's HOME. */
  cli(args: string[]): Promise<CliResult>;
  login(user?: string): Promise<CliResult>;
  /** `kubectl broker kubeconfig` for `role` (default view) in `namespace`, into a file of its own. */
  kubeconfig(namespace: string, role?: string): Promise<string>;
}

/** `options` adjusts the stack (STANDING_EDIT for a developer who may hold edit at once). */
export function useDeveloper(options: StackOptions = {}): () => Developer {
  let developer: Developer | undefined;
  before(async () => {
    const stack = await startStack({ logs: !!process.env.LOG_LEVEL, ...options });
    process.env.PATH = NODE_PATH; // kubectlSandbox hands its PATH to kubectl, and kubectl to the plugin.
    const kubectl = await kubectlSandbox();
    const env = baseEnv(kubectl.dir);
    const cli = (args: string[]) => runCli(args, env);
    developer = {
      stack,
      kubectl,
      env,
      paths: cachePaths(kubectl.dir, stack.url),
      cli,
      login: (user = "dev") => scriptedLogin(stack.url, env, user, ["--certificate-authority", stack.caFile]),
      kubeconfig: async (namespace, role = "view") => {
        const file = join(kubectl.dir, `${namespace}${role === "view" ? "" : `-${role}`}.kubeconfig`);
        const result = await cli([
          "kubeconfig",
          "--cluster",
          "test",
          "--role",
          role,
          "-n",
          namespace,
          "--file",
          file,
        ]);
        assert.equal(result.code, 0, result.stderr);
        return file;
      },
    };
  });
  after(async () => {
    await developer?.kubectl.cleanup();
    await developer?.stack.close();
  });
  return () => developer!;
}
