import { spawn } from "node:child_process";

/**
 * How to open a URL in the person's browser: --browser-command or $BROWSER (a program, or a
 * command line with %s for the URL), else the platform's opener. Undefined when there is no
 * browser to open (Linux without a display, as over SSH): the device flow is then the way.
 */
export function browserCommand(
  chosen: string | undefined,
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform,
): ((url: string) => string[]) | undefined {
  // BROWSER is a list like PATH: ";" between entries on Windows, where ":" follows a drive letter.
  const custom = chosen || env.BROWSER?.split(platform === "win32" ? ";" : ":")[0];
  if (custom) {
    return custom.includes("%s")
      ? (url) => custom.split(/\s+/).map((word) => word.replaceAll("%s", url))
      : (url) => [custom, url];
  }
  if (platform === "darwin") return (url) => ["open", url];
  if (platform === "win32") return (url) => ["rundll32", "url.dll,FileProtocolHandler", url];
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return (url) => ["xdg-open", url];
  return undefined;
}

/** Starts the browser and does not wait for it; false when it could not even be started. */
export function openBrowser(argv: string[]): Promise<boolean> {
  const [program, ...args] = argv;
  return new Promise((resolve) => {
    const child = spawn(program!, args, { stdio: "ignore", detached: true });
    child.once("error", () => resolve(false));
    child.once("spawn", () => {
      child.unref();
      resolve(true);
    });
  });
}
