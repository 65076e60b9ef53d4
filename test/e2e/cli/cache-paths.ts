import { join } from "node:path";
import { SessionStore } from "../../../src/cli/cache/session-store.ts";
import { TokenCache } from "../../../src/cli/cache/token-cache.ts";

/** Where the CLI keeps a HOME's session and tokens for one broker (the CLI's own naming). */
export function cachePaths(home: string, server: string) {
  const dir = join(home, ".kube", "cache", "kube-broker");
  return {
    dir,
    session: new SessionStore(dir).fileOf(server),
    token: (namespace: string, role = "view", cluster = "test") =>
      new TokenCache(dir).fileOf({ server, cluster, role, namespace }),
  };
}
