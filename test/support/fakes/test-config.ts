import { ConfigError, parseConfig } from "../../../src/config/load.ts";
import type { Config } from "../../../src/config/schema.ts";

/**
 * A valid config for tests, with the given sections replaced. Cluster "test" authenticates
 * in-cluster unless a test replaces it; roles view/edit (namespaced) and cluster-reader.
 */
export function testConfig(overrides: Record<string, unknown> = {}): Config {
  return parseConfig({
    server: { listen: "127.0.0.1:0", publicUrl: "http://127.0.0.1" },
    redis: { url: "redis://127.0.0.1:6379" },
    oidc: { issuer: "http://127.0.0.1:1", clientId: "kube-broker" },
    clusters: [{ name: "test", auth: { kind: "in-cluster" } }],
    roles: [
      { name: "view", clusterRole: "view", maxTtl: "8h" },
      { name: "edit", clusterRole: "edit", maxTtl: "4h" },
      { name: "cluster-reader", clusterRole: "view", scope: "cluster", maxTtl: "1h" },
    ],
    ...overrides,
  });
}

/** What check-config would say of the config `build` makes: one "path: message" per problem. */
export function configProblems(build: () => unknown): string[] {
  try {
    build();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}
