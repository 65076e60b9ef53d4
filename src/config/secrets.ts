import { readFileSync } from "node:fs";

/**
 * A secret named by the config (an env variable or a file), read at start-up. The config file
 * itself never holds secrets; a missing one is a clear start-up error naming where it looked.
 */
export function readSecret(
  source: { env?: string | undefined; file?: string | undefined },
  what: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (source.env) {
    const value = env[source.env];
    if (!value) throw new Error(`${what}: environment variable ${source.env} is not set`);
    return value.trim();
  }
  if (source.file) {
    try {
      return readFileSync(source.file, "utf8").trim();
    } catch {
      throw new Error(`${what}: cannot read ${source.file}`);
    }
  }
  return undefined;
}
