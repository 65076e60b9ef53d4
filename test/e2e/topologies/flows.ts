import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { RedisGrantStore } from "../../../src/grants/redis-grant-store.ts";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { SseClient } from "../../integration/audit/sse-client.ts";
import { readAudit, waitForRecord } from "../../support/audit-log.ts";
import { waitFor } from "../../support/grants.ts";
import { bearer } from "../../support/login.ts";
import type { RedisTopology, TopologyHarness } from "../../support/redis-topology.ts";
import { type Stack, startStack } from "../../support/stack.ts";

/**
 * The product's main flows, run unchanged on each Redis topology: the same code must work
 * on one server, a Redis Cluster (keys spread over slots and nodes) and Sentinel.
 */
export type AuditMode = "fail-closed" | "buffered";

export interface TopologyEnv<T extends RedisTopology> {
  stack: Stack<TopologyHarness<T>>;
  kubectl: KubectlSandbox;
  /** Session of a user, signed in once. */
  session(user: string): Promise<string>;
  /** GET through the gateway with `token`; resolves to the status. */
  gatewayGet(token: string, path?: string): Promise<number>;
}

/** One stack per test file, on `topology`, with the audit exported to a file. */
export function useTopologyStack<T extends RedisTopology>(
  topology: T,
  mode: AuditMode,
): () => TopologyEnv<T> {
  let env: TopologyEnv<T> | undefined;
  before(async () => {
    const stack = await startStack({
      redis: topology,
      logs: !!process.env.LOG_LEVEL,
      config: ({ dir }) => ({
        audit: {
          mode,
          writeTimeout: 1,
          // Each master has a replica: a record counts once that replica holds it too, so a
          // master killed right after taking it does not lose it.
          replicas: 1,
          // On a Cluster, the audit stream in three shards: one per master.
          ...(topology === "cluster" ? { shards: 3 } : {}),
          spool: { path: join(dir, "audit-spool.jsonl") },
          export: { kind: "file", path: join(dir, "audit-export.jsonl") },
        },
      }),
    });
    const kubectl = await kubectlSandbox();
    const sessions = new Map<string, string>();
    env = {
      stack,
      kubectl,
      session: async (user) => {
        if (!sessions.has(user)) sessions.set(user, await stack.login(user));
        return sessions.get(user)!;
      },
      gatewayGet: async (token, path = "/api/v1/namespaces/team-a/pods") => {
        const res = await fetch(`${stack.url}/clusters/test${path}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        await res.arrayBuffer();
        return res.status;
      },
    };
  });
  after(async () => {
    await env?.kubectl.cleanup();
    await env?.stack.close();
  });
  return () => env!;
}

/** The gateway with the real kubectl, its records in the audit stream. */
export function gatewayFlow<T extends RedisTopology>(use: () => TopologyEnv<T>): void {
  it("kubectl get pods through the gateway, recorded in the audit stream", async () => {
    const { stack, kubectl, session } = use();
    const { token, grant } = await stack.credential(await session("dev"), {
      role: "view",
      namespace: "team-a",
    });
    const kubeconfig = await stack.gatewayKubeconfig("dev-kubectl", token, "team-a");
    const result = await kubectl.run(kubeconfig, ["get", "pods"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /web-/);
    const record = await waitForRecord(
      stack.redis,
      { verb: "list", resource: "pods", grant: grant.id },
      3000,
      stack.config.audit.shards,
    );
    assert.equal(record.status, "200");
    assert.equal(record.decision, "allowed");
  });
}

/** Every flow: sign-in, grants and their end, requests and approvals, the audit trail. */
export function mainFlows<T extends RedisTopology>(use: () => TopologyEnv<T>): void {
  it("signs in and hands out a grant whose token works through the gateway", async () => {
    const { stack, session, gatewayGet } = use();
    const me = await fetch(`${stack.url}/v1/whoami`, { headers: bearer(await session("dev")) });
    assert.equal(me.status, 200);
    const { token, grant } = await stack.credential(await session("dev"), {
      role: "view",
      namespace: "team-a",
    });
    assert.equal(await gatewayGet(token), 200);
    const again = await stack.credential(await session("dev"), { role: "view", namespace: "team-a" });
    assert.equal(again.grant.id, grant.id, "the standing grant is reused");
  });

  gatewayFlow(use);

  it("a revoke cuts an open watch of the grant at once (the grant-ended channel)", async () => {
    assert.ok((await revokeUnderWatch(use)) < 2000);
  });

  it("an access request, once approved, becomes a grant that works", async () => {
    const { stack, session } = use();
    const api = async (user: string, path: string, body: unknown) => {
      const res = await fetch(`${stack.url}/v1${path}`, {
        method: "POST",
        headers: bearer(await session(user)),
        body: JSON.stringify(body),
      });
      return {
        status: res.status,
        body: (await res.json()) as { id: string; state: string; grantId?: string },
      };
    };
    const ask = { cluster: "test", role: "edit", namespace: "team-b", duration: "30m", reason: "INC-4411" };
    const created = await api("dev", "/requests", ask);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.state, "pending");
    const approved = await api("approver", `/requests/${created.body.id}/approve`, { comment: "ok" });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.state, "approved");
    const { token, grant } = await stack.credential(await session("dev"), {
      role: "edit",
      namespace: "team-b",
    });
    assert.equal(grant.id, approved.body.grantId);
    const made = await fetch(`${stack.url}/clusters/test/api/v1/namespaces/team-b/configmaps`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "jit-made" } }),
    });
    assert.equal(made.status, 201);
    const events = (await readAudit(stack.redis, stack.config.audit.shards))
      .filter((e) => e.type === "lifecycle" && (e as { request?: string }).request === created.body.id)
      .map((e) => (e as { event: string }).event);
    assert.deepEqual(events.slice(0, 3), ["request.created", "grant.started", "request.approved"]);
  });

  it("the audit trail: query, live tail and export", async () => {
    const { stack, session, gatewayGet } = use();
    const admin = await session("admin");
    const { token } = await stack.credential(await session("dev"), { role: "view", namespace: "team-a" });
    const tail = await SseClient.open(`${stack.url}/v1/audit/stream?resource=configmaps`, bearer(admin));
    try {
      assert.equal(tail.status, 200);
      assert.equal(await gatewayGet(token, "/api/v1/namespaces/team-a/configmaps"), 200);
      const events = await tail.waitForEvents(1);
      assert.equal(JSON.parse(events[0]!.data).resource, "configmaps");
    } finally {
      tail.close();
    }
    const res = await fetch(`${stack.url}/v1/audit?resource=configmaps&phase=end`, {
      headers: bearer(admin),
    });
    assert.equal(res.status, 200);
    const page = (await res.json()) as { items: { resource: string; user: string }[] };
    assert.ok(page.items.some((r) => r.resource === "configmaps" && r.user === "dev@example.com"));
    // The exporter (under its lease) copies every record to the file sink.
    const exportFile = join(stack.dir, "audit-export.jsonl");
    const exported = await waitFor(async () => {
      const lines = await readFile(exportFile, "utf8").catch(() => "");
      return lines.includes('"resource":"configmaps"') ? lines : undefined;
    }, 10_000);
    assert.ok(exported, "the configmaps record reached the export file");
  });

  it("the usage aggregates count gateway traffic (report access)", async () => {
    const { stack, session, gatewayGet } = use();
    const admin = await session("admin");
    const { token } = await stack.credential(await session("dev"), { role: "view", namespace: "team-b" });
    assert.equal(await gatewayGet(token, "/api/v1/namespaces/team-b/serviceaccounts"), 200);
    const counted = await waitFor(async () => {
      const res = await fetch(
        `${stack.url}/v1/reports/access?since=1h&namespace=team-b&resource=serviceaccounts`,
        {
          headers: bearer(admin),
        },
      );
      const report = (await res.json()) as { items?: { user: string; verbs: Record<string, number> }[] };
      return report.items?.find((i) => i.user === "dev@example.com" && i.verbs.list);
    }, 10_000);
    assert.deepEqual(counted?.verbs, { list: 1 }, "counted once");
  });

  it("a grant ends at its deadline: its ServiceAccount is deleted and its token refused", async () => {
    const { stack, session, gatewayGet } = use();
    // A short grant, so the clock's jump stays within the life of tokens minted before it.
    const { token, grant } = await stack.credential(await session("sre2"), {
      role: "view",
      namespace: "team-b",
      ttl: "1m",
    });
    assert.ok(serviceAccountOf(stack, grant));
    assert.equal(await gatewayGet(token, "/api/v1/namespaces/team-b/pods"), 200);
    const store = new RedisGrantStore({ redis: stack.redis.client(), keyPrefix: stack.redis.keyPrefix });
    stack.clock.jumpTo(Date.parse(grant.expiresAt), 300);
    const ended = await waitFor(async () => {
      const g = await store.get(grant.id);
      return g?.state === "ended" ? g : undefined;
    }, 4000);
    assert.equal(ended?.endReason, "expired");
    assert.equal(serviceAccountOf(stack, grant), undefined);
    assert.equal(await gatewayGet(token, "/api/v1/namespaces/team-b/pods"), 401);
  });
}

/** The grant's ServiceAccount in the stand-in, if it is still there. */
export function serviceAccountOf(stack: Stack<unknown>, grant: { serviceAccount: string }): unknown {
  const [namespace, name] = grant.serviceAccount.split("/") as [string, string];
  return stack.standIn.store.find("serviceaccounts", { namespace, name });
}

/**
 * Opens a watch through the gateway with a fresh grant, revokes the grant, and resolves to
 * how long the watch stayed open after the revoke answered. The gateway learns of the end
 * only through the store's grant-ended pub/sub channel, so this is that channel's test.
 */
export async function revokeUnderWatch<T extends RedisTopology>(use: () => TopologyEnv<T>): Promise<number> {
  const { stack, session } = use();
  const dev = await session("dev");
  const { token, grant } = await stack.credential(dev, { role: "view", namespace: "team-a" });
  const watch = await fetch(`${stack.url}/clusters/test/api/v1/namespaces/team-a/pods?watch=1`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(15_000),
  });
  assert.equal(watch.status, 200);
  const ended = watch.text().then(
    () => performance.now(),
    () => Number.POSITIVE_INFINITY,
  );
  const revoked = await fetch(`${stack.url}/v1/grants/${grant.id}`, {
    method: "DELETE",
    headers: bearer(dev),
  });
  assert.equal(revoked.status, 200);
  const revokedAt = performance.now();
  return Math.round((await ended) - revokedAt);
}
