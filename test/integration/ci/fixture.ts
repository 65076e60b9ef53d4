import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach } from "node:test";
import type { RequestHandler } from "express";
import type { Redis } from "ioredis";
import { Registry } from "prom-client";
import type { Config } from "../../../src/config/schema.ts";
import { CredentialIssuer } from "../../../src/grants/credential-issuer.ts";
import type { GrantCluster } from "../../../src/grants/grant-cluster.ts";
import { GrantService } from "../../../src/grants/grant-service.ts";
import { RedisGrantStore } from "../../../src/grants/redis-grant-store.ts";
import { createApp } from "../../../src/http/app.ts";
import { type CiExchangeResult, createCiExchange } from "../../../src/identity/ci/index.ts";
import { systemClock } from "../../../src/shared/clock.ts";
import { silentLogger } from "../../../src/shared/logger.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { type CiIssuerHarness, startCiIssuer } from "../../support/ci-issuer.ts";
import { FakeClusterApi } from "../../support/fakes/fake-cluster-api.ts";
import { RecordingLifecycle } from "../../support/fakes/recording-lifecycle.ts";
import { testConfig } from "../../support/fakes/test-config.ts";

export const GITHUB_AUDIENCE = "kube-broker";
export const GITLAB_AUDIENCE = "https://kube-broker.example";

/**
 * The CI rules every exchange test runs against: GitHub pushes to acme/web's main branch
 * (cluster "test"), GitHub production deployments of any acme repository (cluster "prod"),
 * and GitLab protected refs of projects under acme/infra (cluster "prod").
 */
export function ciTestConfig(github: string, gitlab: string, options: CiConfigOptions = {}): Config {
  const base = testConfig();
  return testConfig({
    clusters: [...base.clusters, { name: "prod", auth: { kind: "in-cluster" } }],
    roles: [...base.roles, { name: "ci-deploy", clusterRole: "edit", maxTtl: "1h" }],
    ci: {
      maxTokenAge: "10m",
      clockSkew: "30s",
      rules: [
        {
          name: "web-main",
          issuer: github,
          audience: GITHUB_AUDIENCE,
          claims: {
            sub: "repo:acme/web:ref:refs/heads/main",
            repository: "acme/web",
            event_name: ["push", "workflow_dispatch"],
          },
          cluster: "test",
          role: "ci-deploy",
          namespaces: ["web"],
          maxTtl: "30m",
        },
        {
          name: "acme-production",
          issuer: github,
          audience: GITHUB_AUDIENCE,
          claims: { repository: "acme/*", environment: "production" },
          cluster: "prod",
          role: "view",
          namespaces: ["web", "web-jobs"],
          maxTtl: "10m",
        },
        {
          name: "infra-protected",
          issuer: gitlab,
          audience: GITLAB_AUDIENCE,
          claims: { project_path: "acme/infra/*", ref_protected: true },
          cluster: "prod",
          role: "edit",
          namespaces: ["infra"],
          maxTtl: "1h",
        },
        ...(options.extraRules ?? []),
      ],
    },
    ...(options.server ? { server: { ...base.server, ...options.server } } : {}),
  });
}

export interface CiFixture {
  redis: RedisHarness;
  client: Redis;
  github: CiIssuerHarness;
  gitlab: CiIssuerHarness;
  config: Config;
  clusterApi: FakeClusterApi;
  grants: GrantService;
  url: string;
  /** POSTs a JSON body (or a raw string) to /v1/ci/exchange. */
  exchange(body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** What the grants put in the cluster, as sorted "Kind:namespace" strings. */
  objectsPlaced(): string[];
  /** Empties Redis and the fake cluster between tests. */
  reset(): Promise<void>;
  /** Asserts that a refused exchange left no grant, no object and (unless said) no jti. */
  assertNothingCreated(options?: { jtiSpent?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export interface CiConfigOptions {
  /** Rules after the three standard ones. */
  extraRules?: Record<string, unknown>[];
  /** Fields of the server section to replace. */
  server?: Record<string, unknown>;
}

export interface CiFixtureOptions extends CiConfigOptions {
  jwksRefetchCooldownMs?: number;
  rateLimit?: RequestHandler;
}

/**
 * A real Redis, two CI issuers on loopback (GitHub- and GitLab-shaped), the grants feature
 * on a fake cluster, and the exchange mounted in the real express app on a real socket.
 */
export async function startCiFixture(options: CiFixtureOptions = {}): Promise<CiFixture> {
  const redis = await startRedis();
  const github = await startCiIssuer();
  const gitlab = await startCiIssuer();
  let config: Config;
  try {
    config = ciTestConfig(github.issuer, gitlab.issuer, options);
  } catch (err) {
    await Promise.all([github.close(), gitlab.close(), redis.close()]);
    throw err;
  }
  const client = redis.client();
  const clusterApi = new FakeClusterApi();
  const clusters = new Map<string, GrantCluster>(
    config.clusters.map((c) => [c.name, { config: c, api: clusterApi }]),
  );
  const logger = silentLogger();
  const lifecycle = new RecordingLifecycle();
  const grants = new GrantService({
    store: new RedisGrantStore({ redis: client, keyPrefix: redis.keyPrefix }),
    history: { objectsCreatedBy: async () => [] },
    clusters,
    roles: config.roles,
    clock: systemClock,
    lifecycle,
    logger,
  });
  const credentials = new CredentialIssuer({ clusters, clock: systemClock, lifecycle, logger });
  const ci = createCiExchange({
    config,
    redis: client,
    keyPrefix: redis.keyPrefix,
    grants,
    credentials,
    clock: systemClock,
    logger,
    jwksRefetchCooldownMs: options.jwksRefetchCooldownMs,
  });
  const app = createApp({
    logger,
    metrics: new Registry(),
    readiness: [],
    trustProxy: false,
    maxBodyBytes: config.limits.maxBodyBytes,
    api: ci.routes({
      requireSession: (_req, _res, next) => next(),
      isAdmin: () => false,
      rateLimit: () => options.rateLimit ?? ((_req, _res, next) => next()),
    }),
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const keyCount = async (feature: string) => (await client.keys(`${redis.keyPrefix}{${feature}}*`)).length;
  return {
    redis,
    client,
    github,
    gitlab,
    config,
    clusterApi,
    grants,
    url,
    exchange: (body, headers = {}) =>
      fetch(`${url}/v1/ci/exchange`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    objectsPlaced: () => [...clusterApi.objects.values()].map((o) => `${o.kind}:${o.namespace}`).sort(),
    reset: async () => {
      // Only this harness's keys: with REDIS_URL, other test files share the server.
      const keys = await client.keys(`${redis.keyPrefix}*`);
      if (keys.length > 0) await client.del(...keys);
      clusterApi.objects.clear();
      clusterApi.calls.length = 0;
    },
    assertNothingCreated: async ({ jtiSpent = false } = {}) => {
      assert.equal(await keyCount("grants"), 0, "no grant in Redis");
      assert.equal(clusterApi.objects.size, 0, "no object in the cluster");
      assert.deepEqual(clusterApi.calls, [], "the cluster was not even asked");
      assert.equal(
        await keyCount("ci"),
        jtiSpent ? 1 : 0,
        jtiSpent ? "the jti is spent" : "no jti remembered",
      );
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await github.close();
      await gitlab.close();
      await redis.close();
    },
  };
}

export interface StatusBody {
  kind: string;
  code: number;
  reason: string;
  message: string;
  details?: { causes?: { field: string; message: string }[] };
}

/** Reads a refusal, checks it is a Kubernetes Status with that code, and that it echoes no token. */
export async function expectStatus(res: Response, code: number, token?: string): Promise<StatusBody> {
  const text = await res.text();
  assert.equal(res.status, code, text);
  if (token) assert.ok(!text.includes(token.split(".")[1]!), "the refusal echoes the token");
  const status = JSON.parse(text) as StatusBody;
  assert.equal(status.kind, "Status");
  assert.equal(status.code, code);
  return status;
}

export async function expectGranted(res: Response): Promise<CiExchangeResult> {
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return JSON.parse(text) as CiExchangeResult;
}

/** Starts a fixture for the enclosing describe, reset before each test; call the result to get it. */
export function useCiFixture(options: CiFixtureOptions = {}): () => CiFixture {
  let fixture: CiFixture | undefined;
  before(async () => {
    fixture = await startCiFixture(options);
  });
  after(() => fixture?.close());
  beforeEach(() => fixture?.reset());
  return () => fixture!;
}
