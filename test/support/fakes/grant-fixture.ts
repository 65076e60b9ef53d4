import type { Grant } from "../../../src/grants/index.ts";

/**
 * A grant as the store holds it: dev@example.com's `view` in team-a on cluster "test",
 * active from `now` for an hour, its ServiceAccount named after its id. Override what a
 * test is about.
 */
export function grantFixture(
  id: string,
  overrides: Partial<Grant> = {},
  now = Date.parse("2026-01-01T00:00:00Z"),
): Grant {
  return {
    id,
    version: 2,
    principal: { kind: "user", subject: "sub-dev", name: "dev@example.com", groups: ["developers"] },
    cluster: "test",
    role: "view",
    namespaces: ["team-a"],
    clusterWide: false,
    origin: "standing",
    reason: "",
    createdAt: now,
    activatedAt: now,
    expiresAt: now + 3600_000,
    state: "active",
    serviceAccount: { namespace: "kube-broker-grants", name: `kb-dev-${id}`, uid: `uid-${id}` },
    ...overrides,
  };
}
