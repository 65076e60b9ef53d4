/**
 * The web console's server side: it serves the built console (npm run build writes it to
 * dist/ui) at /ui/ with strict security headers, starts a browser's sign-in at /ui/login, and
 * shows a failed sign-in at /ui/login-failed. Sign-in itself, the kb_console session cookie,
 * CSRF and the console's API (/v1/console/session) belong to the identity feature; the
 * console's sources are under ui/ here, built by scripts/build.ts. docs/console.md tells
 * the whole story.
 *
 * It owns the /ui routes and nothing in Redis or the cluster.
 */
import type { Router } from "express";
import type { Config } from "../config/schema.ts";
import type { ApiContext, Feature } from "../http/feature.ts";
import { ConsoleFiles, defaultConsoleDir } from "./console-files.ts";
import { type ConsoleSignIn, consoleRoutes } from "./console-routes.ts";

export type { ConsoleSignIn } from "./console-routes.ts";

export interface ConsoleDeps {
  config: Config;
  signIn: ConsoleSignIn;
  /** The built console's directory; by default found next to the running code (console-files.ts). */
  dir?: string;
}

export interface WebConsole extends Feature {
  /** The router to mount at /ui (outside /v1: it serves pages, not the API). */
  uiRoutes(api: ApiContext): Router;
}

export function createConsole(deps: ConsoleDeps): WebConsole {
  const files = new ConsoleFiles({ dir: deps.dir ?? defaultConsoleDir() });
  const perMinute = deps.config.limits.rateLimits.login.perMinute;
  return {
    routes: () => [],
    uiRoutes: (api) =>
      consoleRoutes({ files, signIn: deps.signIn, limit: api.rateLimit("login", perMinute, "client") }),
    start: async () => {},
    stop: async () => {},
  };
}
