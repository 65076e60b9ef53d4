import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { applyEnvOverrides } from "../../../src/config/env-overrides.ts";
import { loadConfig, parseConfig } from "../../../src/config/load.ts";
import { configProblems } from "../../support/fakes/test-config.ts";

const run = promisify(execFile);

export const MINIMAL = {
  server: { publicUrl: "https://kb.example.com" },
  redis: { url: "redis://127.0.0.1:6379" },
  oidc: { issuer: "https://idp.example.com", clientId: "kb", clientSecretEnv: "SECRET" },
  clusters: [{ name: "prod", auth: { kind: "in-cluster" } }],
  roles: [{ name: "view", clusterRole: "view" }],
};

function problems(raw: unknown): string[] {
  return configProblems(() => parseConfig(raw));
}

describe("config", () => {
  it("fills defaults for a minimal config", () => {
    const config = parseConfig(MINIMAL);
    assert.equal(config.server.listen, "0.0.0.0:8443");
    assert.equal(config.redis.keyPrefix, "kb:");
    assert.equal(config.oidc[0]!.sessionTtl, 12 * 3600);
    assert.equal(config.oidc[0]!.groupsClaim, "groups");
    const [cluster] = config.clusters;
    assert.equal(cluster?.grantsNamespace, "kube-broker-grants");
    assert.equal(cluster?.tokenTtl, 900);
    assert.equal(cluster?.tokenAudience, "gateway");
    assert.equal(config.audit.mode, "fail-closed");
    assert.equal(config.audit.retention.maxAge, 30 * 86400);
    assert.equal(config.audit.spool.maxBytes, 64 * 1024 * 1024);
    assert.equal(config.limits.rateLimits.login.perMinute, 20);
    assert.deepEqual(config.policies, { standing: [], requests: [] });
  });

  it("parses durations and sizes", () => {
    const config = parseConfig({
      ...MINIMAL,
      clusters: [{ name: "prod", auth: { kind: "in-cluster" }, tokenTtl: "1h30m" }],
      audit: { spool: { maxBytes: "512Ki" } },
    });
    assert.equal(config.clusters[0]?.tokenTtl, 5400);
    assert.equal(config.audit.spool.maxBytes, 512 * 1024);
  });

  it("names the field path of each problem", () => {
    const found = problems({
      ...MINIMAL,
      server: { publicUrl: "not a url", surprise: 1 },
      clusters: [{ name: "Prod_1", auth: { kind: "token" }, tokenTtl: "300s" }],
      roles: [{ name: "view" }],
      audit: { mode: "sometimes" },
    });
    const joined = found.join("\n");
    assert.match(joined, /^server.publicUrl: /m);
    assert.match(joined, /^server: Unrecognized key: "surprise"/m);
    assert.match(joined, /^clusters.0.name: must be a DNS-1123 label/m);
    assert.match(joined, /^clusters.0.tokenTtl: must be at least 10m/m);
    assert.match(joined, /^clusters.0.auth: set exactly one of tokenFile or tokenEnv/m);
    assert.match(joined, /^clusters.0.server: required when auth.kind is token/m);
    assert.match(joined, /^roles.0: set exactly one of clusterRole or role/m);
    assert.match(joined, /^audit.mode: /m);
  });

  it("refuses a token TTL of 3607 seconds, which the API server would extend to a year", () => {
    assert.match(
      problems({
        ...MINIMAL,
        clusters: [{ name: "p", auth: { kind: "in-cluster" }, tokenTtl: 3607 }],
      }).join(),
      /clusters.0.tokenTtl: 3607s is silently extended/,
    );
  });

  it("checks references between sections", () => {
    const found = problems({
      ...MINIMAL,
      roles: [
        { name: "view", clusterRole: "view", maxTtl: "1h" },
        { name: "view", clusterRole: "edit" },
      ],
      policies: {
        standing: [{ subjects: { groups: ["dev"] }, clusters: ["staging"], roles: ["view", "ghost"] }],
      },
      ci: {
        rules: [
          {
            name: "r",
            issuer: "https://ci.example.com",
            audience: "kb",
            claims: { repository: "a/b" },
            cluster: "prod",
            role: "view",
            namespaces: ["x"],
            maxTtl: "2h",
          },
        ],
      },
    });
    assert.deepEqual(found, [
      'roles.1.name: duplicate name "view"',
      'policies.standing.0.clusters.0: unknown cluster "staging"',
      'policies.standing.0.namespaces: role "view" is namespaced: list the namespaces (or globs) it may be held in',
      'policies.standing.0.roles.1: unknown role "ghost"',
      'ci.rules.0.maxTtl: 7200s exceeds role "view" maxTtl of 3600s',
    ]);
  });

  it("refuses a prefix-free gateway on the broker's own port, or clusters it could not tell apart", () => {
    const found = problems({
      ...MINIMAL,
      server: { ...MINIMAL.server, listen: "0.0.0.0:8443", gateway: { listen: "0.0.0.0:8443" } },
      clusters: [
        { name: "a", auth: { kind: "in-cluster" } },
        { name: "b", auth: { kind: "in-cluster" }, gatewayAudience: "kube-broker:a" },
        { name: "c", auth: { kind: "in-cluster" }, tokenAudience: "api", gatewayAudience: "kube-broker:a" },
      ],
    });
    assert.deepEqual(found, [
      "server.gateway.listen: must differ from server.listen",
      'clusters.1.gatewayAudience: cluster "a" has the same gateway audience "kube-broker:a"; each needs its own',
    ]);
  });

  it("applies KUBE_BROKER_* overrides, camel-casing words and indexing arrays", () => {
    const raw = applyEnvOverrides(MINIMAL, {
      KUBE_BROKER_SERVER__PUBLIC_URL: "https://other.example.com",
      KUBE_BROKER_AUDIT__MODE: "buffered",
      KUBE_BROKER_CLUSTERS__0__TOKEN_TTL: "10m",
      KUBE_BROKER_LIMITS__RATE_LIMITS__LOGIN__PER_MINUTE: "5",
      KUBE_BROKER_ADMINS__GROUPS: "[ops, sec]",
      KUBE_BROKER_SERVER: "https://cli-setting-not-config",
    });
    const config = parseConfig(raw);
    assert.equal(config.server.publicUrl, "https://other.example.com");
    assert.equal(config.audit.mode, "buffered");
    assert.equal(config.clusters[0]?.tokenTtl, 600);
    assert.equal(config.limits.rateLimits.login.perMinute, 5);
    assert.deepEqual(config.admins.groups, ["ops", "sec"]);
    assert.equal(
      (MINIMAL.server as Record<string, unknown>).publicUrl,
      "https://kb.example.com",
      "input untouched",
    );
  });

  it("ships an example and a demo config that validate", async () => {
    await loadConfig(new URL("../../../config/example.yaml", import.meta.url).pathname, {});
    await loadConfig(new URL("../../../config/demo.yaml", import.meta.url).pathname, {});
  });

  it("reports unreadable files and bad YAML as problems", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kb-config-"));
    await assert.rejects(loadConfig(join(dir, "missing.yaml"), {}), /file not found/);
    await writeFile(join(dir, "bad.yaml"), "server: [unclosed\n");
    await assert.rejects(loadConfig(join(dir, "bad.yaml"), {}), /not valid YAML/);
  });
});

describe("kube-broker check-config", () => {
  const cli = (file: string) =>
    run(process.execPath, [
      new URL("../../../src/main.ts", import.meta.url).pathname,
      "check-config",
      "--config",
      file,
    ]).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it("answers --help with the usage on stdout and exit 0, whatever the command; no command is a usage error", async () => {
    const main = new URL("../../../src/main.ts", import.meta.url).pathname;
    const started = (args: string[]) =>
      run(process.execPath, [main, ...args]).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    for (const args of [["--help"], ["-h"], ["help"], ["check-config", "--help"], ["serve", "-h"]]) {
      const result = await started(args);
      assert.equal(result.code, 0, args.join(" "));
      assert.match(result.stdout, /^usage:\n {2}kube-broker serve --config FILE/, args.join(" "));
    }
    const none = await started([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^kube-broker: which command\?\nusage:/);
  });

  it("exits 0 on a good file", async () => {
    const result = await cli(new URL("../../../config/example.yaml", import.meta.url).pathname);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /ok \(1 cluster/);
  });

  it("exits non-zero with one line per problem naming the field path", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kb-config-"));
    const file = join(dir, "bad.yaml");
    await writeFile(
      file,
      stringify({ ...MINIMAL, redis: {}, roles: [{ name: "view", clusterRole: "view", maxTtl: "soon" }] }),
    );
    const result = await cli(file);
    assert.equal(result.code, 1);
    const lines = result.stderr.trim().split("\n");
    assert.deepEqual(lines, [
      `${file}: redis: set exactly one of url, sentinels or cluster`,
      `${file}: roles.0.maxTtl: expected a duration such as 90s, 15m, 12h or 30d, got "soon"`,
    ]);
  });
});
