/**
 * A Secret Service on a D-Bus session bus of its own, for the CLI's OS keyring tests: Debian's
 * dbus-daemon and gnome-keyring-daemon (secrets component only), headless, as root too.
 * Everything lives under one directory (HOME, XDG_DATA_HOME for the keyring file,
 * XDG_RUNTIME_DIR for its control socket); stopping the bus ends the keyring daemon with it.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

/** The login keyring's password: the daemon creates the keyring with it, and unlocks with it. */
const PASSWORD = "test-keyring-password";

export interface SecretService {
  /** What a process needs to find this bus (and so the keyring). */
  env: { DBUS_SESSION_BUS_ADDRESS: string };
  /** The secret stored under these attributes (secret-tool lookup), or undefined. */
  lookup(attributes: Record<string, string>): Promise<string | undefined>;
  stop(): Promise<void>;
}

/**
 * `unlocked`: the daemon starts with the password, creating and unlocking the login keyring.
 * `locked`: it starts without one, so a keyring made by an earlier unlocked start in the same
 * directory stays locked, and an unlock prompt (no display) is dismissed at once.
 */
export async function startSecretService(dir: string, state: "unlocked" | "locked"): Promise<SecretService> {
  const base = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dir,
    XDG_DATA_HOME: join(dir, "data"),
    XDG_RUNTIME_DIR: join(dir, "run"),
  };
  mkdirSync(base.XDG_RUNTIME_DIR, { recursive: true, mode: 0o700 });
  const bus = spawn("dbus-daemon", ["--session", "--nofork", "--print-address=1"], {
    env: base,
    stdio: ["ignore", "pipe", "ignore"],
  });
  const address = await firstLine(bus);
  const env = { ...base, DBUS_SESSION_BUS_ADDRESS: address };
  try {
    const args =
      state === "unlocked" ? ["--unlock", "--components=secrets"] : ["--start", "--components=secrets"];
    await run("gnome-keyring-daemon", args, env, state === "unlocked" ? PASSWORD : "");
  } catch (err) {
    bus.kill();
    throw err;
  }
  return {
    env: { DBUS_SESSION_BUS_ADDRESS: address },
    lookup: async (attributes) => {
      const pairs = Object.entries(attributes).flat();
      try {
        return await run("secret-tool", ["lookup", ...pairs], env, "");
      } catch {
        return undefined; // secret-tool exits 1 when nothing matches.
      }
    },
    stop: () =>
      new Promise((resolve) => {
        if (bus.exitCode !== null || bus.signalCode !== null) return resolve();
        bus.once("exit", () => resolve());
        bus.kill();
      }),
  };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk;
      if (text.includes("\n")) resolve(text.split("\n")[0]!.trim());
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`dbus-daemon exited (${code}) before giving its address`)));
  });
}

function run(command: string, args: string[], env: Record<string, string>, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { env, timeout: 15_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} ${args.join(" ")}: ${error.message} ${stderr}`)) : resolve(stdout),
    );
    child.stdin!.end(input);
  });
}
