/** Configs and principals for the policy tests; configs go through parseConfig so defaults apply. */
import { parseConfig } from "../../../src/config/load.ts";
import type { Config } from "../../../src/config/schema.ts";
import type { Principal } from "../../../src/shared/principal.ts";

const BASE = {
  server: { publicUrl: "https://kb.example.com" },
  redis: { url: "redis://127.0.0.1:6379" },
  oidc: { issuer: "https://idp.example.com", clientId: "kb", clientSecretEnv: "SECRET" },
  clusters: [
    { name: "prod", auth: { kind: "in-cluster" } },
    { name: "staging", auth: { kind: "in-cluster" } },
  ],
  roles: [
    { name: "view", clusterRole: "view", maxTtl: "8h" },
    { name: "edit", clusterRole: "edit", maxTtl: "2h" },
    { name: "logs", role: "log-reader", maxTtl: "1h", lowRisk: true },
    { name: "cluster-reader", clusterRole: "cluster-reader", scope: "cluster", maxTtl: "4h" },
  ],
};

/** A valid config with these policies (and any other top-level sections replaced). */
export function configWith(
  policies: { standing?: unknown[]; requests?: unknown[] },
  extra: Record<string, unknown> = {},
): Config {
  return parseConfig({ ...BASE, policies, ...extra });
}

/** A person signed in through OIDC; the email doubles as the display name. */
export function person(email: string, groups: string[] = [], subject = `sub-${email}`): Principal {
  return { kind: "user", subject, name: email, email, groups };
}
