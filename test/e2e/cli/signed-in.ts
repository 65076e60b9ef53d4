import { HeadlessBrowser } from "../../support/browser.ts";
import { type CliEnv, type CliResult, startCli } from "./cli-process.ts";

/**
 * `kubectl broker login --no-browser`, completed by a headless browser: the CLI prints the
 * URL on stderr, the "person" signs in at the IdP, and the browser lands on the CLI's
 * loopback listener with the one-time code.
 */
export async function scriptedLogin(
  server: string,
  env: CliEnv,
  user: string,
  extraArgs: string[] = [],
): Promise<CliResult> {
  const login = startCli(["login", "--no-browser", "--server", server, ...extraArgs], env);
  const [url] = await login.waitFor(/https:\/\/\S+\/v1\/login\/start\S+/);
  const landed = await new HeadlessBrowser().visit(url, { login: user });
  if (landed.status !== 200)
    throw new Error(`the browser ended at ${landed.url} with ${landed.status}: ${landed.body}`);
  return login.exited;
}
