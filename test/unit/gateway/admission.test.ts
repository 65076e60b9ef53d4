import assert from "node:assert/strict";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { beforeEach, describe, it } from "node:test";
import type { ClusterConfig } from "../../../src/config/schema.ts";
import { type ApiTokenSource, admit, type GatewayCluster } from "../../../src/gateway/admission.ts";
import type { RequestContext } from "../../../src/gateway/audit-fields.ts";
import { byPathPrefix } from "../../../src/gateway/cluster-locator.ts";
import { type GrantFinder, GrantResolver } from "../../../src/gateway/grant-resolver.ts";
import type { PresentedIdentity, TokenAuthenticator } from "../../../src/gateway/token-authenticator.ts";
import type { Upstream } from "../../../src/gateway/upstream.ts";
import type { Grant } from "../../../src/grants/index.ts";
import {
  BadRequest,
  type BrokerError,
  Forbidden,
  NotFound,
  Unauthorized,
  Unavailable,
} from "../../../src/shared/errors.ts";
import { grantFixture } from "../../support/fakes/grant-fixture.ts";
import { ManualClock } from "../../support/fakes/manual-clock.ts";
import { testConfig } from "../../support/fakes/test-config.ts";

const GRANTS_NS = "kube-broker-grants";
const GOOD_TOKEN = "presented-gateway-token";

/** Answers with the identity registered for a token; refuses any other token, as a real one would. */
class FakeAuthenticator implements TokenAuthenticator {
  readonly calls: string[] = [];
  readonly identities = new Map<string, PresentedIdentity>();

  async authenticate(token: string): Promise<PresentedIdentity> {
    this.calls.push(token);
    const identity = this.identities.get(token);
    if (!identity) throw new Unauthorized("the token could not be verified (fake)");
    return identity;
  }
}

class FakeFinder implements GrantFinder {
  readonly calls: [cluster: string, serviceAccountName: string][] = [];
  readonly grants = new Map<string, Grant>();
  failWith: Error | undefined;

  async findByServiceAccount(cluster: string, serviceAccountName: string): Promise<Grant | undefined> {
    this.calls.push([cluster, serviceAccountName]);
    if (this.failWith) throw this.failWith;
    return this.grants.get(`${cluster}/${serviceAccountName}`);
  }
}

class FakeApiTokens implements ApiTokenSource {
  readonly calls: Grant[] = [];
  failWith: Error | undefined;

  async apiToken(grant: Grant): Promise<string> {
    this.calls.push(grant);
    if (this.failWith) throw this.failWith;
    return `minted-api-token-for-${grant.id}`;
  }
}

/** Never used: admission only hands the cluster back; forwarding is the proxy's business. */
const dummyUpstream = { cluster: "dummy" } as unknown as Upstream;

function clusterConfig(name: string, extra: Record<string, unknown> = {}): ClusterConfig {
  const config = testConfig({ clusters: [{ name, auth: { kind: "in-cluster" }, ...extra }] });
  return config.clusters[0]!;
}

function request(url: string, headers: IncomingHttpHeaders = {}, method = "GET"): IncomingMessage {
  return { method, url, headers } as IncomingMessage;
}

const bearer = (token = GOOD_TOKEN): IncomingHttpHeaders => ({ authorization: `Bearer ${token}` });

interface Expected {
  type: new (...args: never[]) => BrokerError;
  code: number;
  message: RegExp;
}

async function assertRefused(promise: Promise<unknown>, expected: Expected): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof expected.type, `expected ${expected.type.name}, got ${String(err)}`);
    assert.equal((err as BrokerError).code, expected.code);
    assert.match((err as BrokerError).message, expected.message);
    return true;
  });
}

describe("gateway admission", () => {
  let clock: ManualClock;
  let authenticator: FakeAuthenticator;
  let finder: FakeFinder;
  let apiTokens: FakeApiTokens;
  let resolver: GrantResolver;
  let clusters: Map<string, GatewayCluster>;
  let grant: Grant;
  let identity: PresentedIdentity;

  /** What GatewayProxy.#context makes before admission. */
  function context(req: IncomingMessage): RequestContext {
    return {
      id: "req-1",
      startedAt: clock.now(),
      cluster: "",
      rawPath: (req.url ?? "").split("?")[0] ?? "",
      query: new URLSearchParams(),
      bytesIn: 0,
      bytesOut: 0,
    };
  }

  function run(req: IncomingMessage, ctx = context(req)) {
    return admit(req, ctx, byPathPrefix(clusters), { resolver, apiTokens });
  }

  function useCluster(config: ClusterConfig): GatewayCluster {
    const cluster = { config, upstream: dummyUpstream, authenticator };
    clusters.set(config.name, cluster);
    return cluster;
  }

  const calls = () => ({
    authenticate: authenticator.calls.length,
    find: finder.calls.length,
    apiToken: apiTokens.calls.length,
  });

  beforeEach(() => {
    clock = new ManualClock();
    authenticator = new FakeAuthenticator();
    finder = new FakeFinder();
    apiTokens = new FakeApiTokens();
    resolver = new GrantResolver({ grants: finder, clock });
    clusters = new Map();
    useCluster(clusterConfig("test"));
    const now = clock.now();
    grant = grantFixture(
      "g1",
      {
        principal: { kind: "user", subject: "sub-dev", name: "dev@example.com", groups: ["devs"] },
        createdAt: now - 60_000,
        activatedAt: now - 59_000,
        expiresAt: now + 10 * 60_000,
        serviceAccount: { namespace: GRANTS_NS, name: "kb-dev-g1", uid: "sa-uid-1" },
      },
      now,
    );
    identity = { namespace: GRANTS_NS, name: "kb-dev-g1", uid: "sa-uid-1", expiresAt: now + 15 * 60_000 };
    authenticator.identities.set(GOOD_TOKEN, identity);
    finder.grants.set("test/kb-dev-g1", grant);
  });

  describe("checks in order, the first failing one answering", () => {
    it("an unknown cluster is 404 before anything else, whatever else is wrong", async () => {
      for (const url of [
        "/clusters/nope/api/v1/namespaces/a/pods/%2e%2e?watch=1",
        "/clusters/TEST/api/v1/pods",
        "/clusters/t%65st/api/v1/pods",
        "/clusters/",
        "/clusters",
        "/api/v1/pods",
        "",
      ]) {
        // A bad path, impersonation, no token: all lose to the unknown cluster.
        const req = request(url, { "impersonate-user": "admin" });
        const ctx = context(req);
        await assertRefused(run(req, ctx), {
          type: NotFound,
          code: 404,
          message: new RegExp(`no cluster is served at ${RegExp.escape(JSON.stringify(url.split("?")[0]))}`),
        });
        assert.equal(ctx.cluster, "", url);
        assert.equal(ctx.attrs, undefined, url);
        assert.equal(ctx.grant, undefined, url);
      }
      assert.deepEqual(calls(), { authenticate: 0, find: 0, apiToken: 0 });
    });

    it("a path that reads more than one way is 400 before impersonation or the token is looked at", async () => {
      for (const rawPath of [
        "/api/v1/namespaces/team-a/pods/%2e%2e",
        "/api/v1/namespaces/team-a/pods/../secrets",
        "/api//v1/pods",
        "/api/v1/namespaces/team%2Fa/pods",
        "/api/v1/watch",
        "/api/v1/namespaces/team-a/pods/%zz",
      ]) {
        const req = request(`/clusters/test${rawPath}?limit=5`, { "impersonate-group": "system:masters" });
        const ctx = context(req);
        await assertRefused(run(req, ctx), { type: BadRequest, code: 400, message: /request path/ });
        // Audited with what was known: the cluster, the raw path and query, no attributes.
        assert.equal(ctx.cluster, "test", rawPath);
        assert.equal(ctx.rawPath, rawPath);
        assert.deepEqual([...ctx.query], [["limit", "5"]]);
        assert.equal(ctx.attrs, undefined, rawPath);
      }
      assert.deepEqual(calls(), { authenticate: 0, find: 0, apiToken: 0 });
    });

    it("Impersonate-* headers are 403 before the token is even looked at", async () => {
      for (const header of [
        "impersonate-user",
        "impersonate-group",
        "impersonate-uid",
        "impersonate-extra-scopes",
      ]) {
        for (const auth of [bearer(), bearer("not-a-known-token"), {}]) {
          const req = request("/clusters/test/api/v1/namespaces/team-a/pods", { ...auth, [header]: "x" });
          const ctx = context(req);
          await assertRefused(run(req, ctx), {
            type: Forbidden,
            code: 403,
            message: /Impersonate-\* headers are not allowed/,
          });
          assert.equal(ctx.cluster, "test");
          assert.equal(ctx.attrs?.verb, "list");
          assert.equal(ctx.attrs?.namespace, "team-a");
          assert.equal(ctx.attrs?.resource, "pods");
          assert.equal(ctx.grant, undefined);
        }
      }
      assert.deepEqual(calls(), { authenticate: 0, find: 0, apiToken: 0 });
    });

    it("a missing or malformed bearer token is 401 before authentication", async () => {
      for (const headers of [
        {},
        { authorization: "" },
        { authorization: "Basic ZGV2OnB3" },
        { authorization: "Bearer" },
        { authorization: "Bearer " },
        { authorization: `Bearer ${GOOD_TOKEN} extra` },
        { authorization: GOOD_TOKEN },
        // A token in the WebSocket subprotocol list is not read by admission.
        { "sec-websocket-protocol": `base64url.bearer.authorization.k8s.io.${btoa(GOOD_TOKEN)}` },
      ] as IncomingHttpHeaders[]) {
        const req = request("/clusters/test/api/v1/namespaces/team-a/pods/web", headers);
        const ctx = context(req);
        await assertRefused(run(req, ctx), { type: Unauthorized, code: 401, message: /no bearer token/ });
        assert.equal(ctx.cluster, "test");
        assert.equal(ctx.attrs?.verb, "get");
        assert.equal(ctx.attrs?.name, "web");
      }
      assert.deepEqual(calls(), { authenticate: 0, find: 0, apiToken: 0 });
    });

    it("a token the authenticator refuses is 401 before any grant lookup", async () => {
      const req = request("/clusters/test/api/v1/namespaces/team-a/pods", bearer("forged"));
      const ctx = context(req);
      await assertRefused(run(req, ctx), { type: Unauthorized, code: 401, message: /could not be verified/ });
      assert.deepEqual(authenticator.calls, ["forged"], "the bare token, without the scheme");
      assert.deepEqual(calls(), { authenticate: 1, find: 0, apiToken: 0 });
      assert.equal(ctx.cluster, "test");
      assert.equal(ctx.attrs?.resource, "pods");
      assert.equal(ctx.grant, undefined);
    });

    it("a ServiceAccount outside the grants namespace is 401 before the store is asked", async () => {
      authenticator.identities.set("default-sa", { ...identity, namespace: "default" });
      const req = request("/clusters/test/api/v1/namespaces/team-a/pods", bearer("default-sa"));
      const ctx = context(req);
      await assertRefused(run(req, ctx), {
        type: Unauthorized,
        code: 401,
        message: /not managed by kube-broker/,
      });
      assert.deepEqual(calls(), { authenticate: 1, find: 0, apiToken: 0 });
      assert.equal(ctx.grant, undefined);
    });

    const grantRefusals: [what: string, change: () => void, message: RegExp][] = [
      ["unknown to the store", () => finder.grants.clear(), /not managed by kube-broker/],
      [
        "of a different uid (a ServiceAccount recreated under the same name)",
        () => {
          identity.uid = "sa-uid-other";
        },
        /not managed by kube-broker/,
      ],
      [
        "of an ended grant",
        () => {
          Object.assign(grant, { state: "ended", endReason: "revoked", endedAt: clock.now() });
        },
        /grant g1 has ended/,
      ],
      [
        "of a grant still being provisioned",
        () => {
          grant.state = "pending-provision";
        },
        /grant g1 has ended/,
      ],
      [
        "of a grant exactly at its deadline",
        () => {
          grant.expiresAt = clock.now();
        },
        /grant g1 has ended/,
      ],
      [
        "of a grant past its deadline by the clock (still 'active' in the store)",
        () => clock.advance(10 * 60_000 + 1),
        /grant g1 has ended/,
      ],
    ];
    for (const [what, change, message] of grantRefusals) {
      it(`a ServiceAccount ${what} is 401 before an API token is minted`, async () => {
        change();
        const req = request("/clusters/test/api/v1/namespaces/team-a/pods?watch=true", bearer());
        const ctx = context(req);
        await assertRefused(run(req, ctx), { type: Unauthorized, code: 401, message });
        assert.deepEqual(finder.calls, [["test", "kb-dev-g1"]]);
        assert.deepEqual(calls(), { authenticate: 1, find: 1, apiToken: 0 });
        assert.equal(ctx.cluster, "test");
        assert.equal(ctx.attrs?.verb, "watch");
        assert.equal(ctx.grant, undefined);
      });
    }

    it("the deadline is checked against the clock even while the grant is cached", async () => {
      grant.expiresAt = clock.now() + 1000;
      const req = () => request("/clusters/test/api/v1/namespaces/team-a/pods", bearer());
      await run(req());
      clock.advance(1000);
      await assertRefused(run(req()), { type: Unauthorized, code: 401, message: /grant g1 has ended/ });
      assert.deepEqual(
        calls(),
        { authenticate: 2, find: 1, apiToken: 1 },
        "the second answer came from the cache",
      );
    });

    it("a grant store that cannot be reached is 503 for an unknown grant, before a token is minted", async () => {
      finder.failWith = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), {
        code: "ECONNREFUSED",
      });
      const req = request("/clusters/test/api/v1/namespaces/team-a/pods", bearer());
      const ctx = context(req);
      await assertRefused(run(req, ctx), { type: Unavailable, code: 503, message: /try again/ });
      assert.deepEqual(calls(), { authenticate: 1, find: 1, apiToken: 0 });
      assert.equal(ctx.grant, undefined);
    });

    it("after a lost subscription, a known grant is asked for again, and served from memory while Redis is not back", async () => {
      const req = () => request("/clusters/test/api/v1/namespaces/team-a/pods", bearer());
      await run(req());
      resolver.revalidateAll();
      // The subscriber reconnected first; the lookup client is still away.
      finder.failWith = Object.assign(new Error("not connected to Redis"), { code: "ECONNREFUSED" });
      const ctx = context(req());
      await run(req(), ctx);
      assert.equal(ctx.grant, grant, "the known grant is still served");
      assert.equal(finder.calls.length, 2, "revalidation asked the store again");
      // Once Redis answers, an end missed while away is seen on the next request.
      finder.failWith = undefined;
      grant.state = "ended";
      await assertRefused(run(req()), { type: Unauthorized, code: 401, message: /grant g1 has ended/ });
    });

    it("an announced end is never served from memory, even while Redis is away", async () => {
      const req = () => request("/clusters/test/api/v1/namespaces/team-a/pods", bearer());
      await run(req());
      resolver.forget("g1");
      finder.failWith = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      await assertRefused(run(req()), { type: Unavailable, code: 503, message: /try again/ });
    });

    it("a failure to mint the API token comes last, with the grant already in ctx for the audit", async () => {
      const failure = new Error("TokenRequest failed");
      apiTokens.failWith = failure;
      const req = request("/clusters/test/api/v1/namespaces/team-a/pods", bearer());
      const ctx = context(req);
      await assert.rejects(run(req, ctx), (err) => err === failure);
      assert.deepEqual(calls(), { authenticate: 1, find: 1, apiToken: 1 });
      assert.equal(ctx.grant, grant);
      assert.equal(ctx.cluster, "test");
      assert.equal(ctx.attrs?.resource, "pods");
    });

    it("each cluster checks with its own authenticator, name and grants namespace", async () => {
      const otherAuthenticator = new FakeAuthenticator();
      otherAuthenticator.identities.set(GOOD_TOKEN, identity);
      clusters.set("other", {
        config: clusterConfig("other", { grantsNamespace: "other-grants" }),
        upstream: dummyUpstream,
        authenticator: otherAuthenticator,
      });
      const req = request("/clusters/other/api/v1/namespaces/team-a/pods", bearer());
      const ctx = context(req);
      // The identity is in kube-broker-grants, which is not "other"'s grants namespace.
      await assertRefused(run(req, ctx), {
        type: Unauthorized,
        code: 401,
        message: /not managed by kube-broker/,
      });
      assert.equal(ctx.cluster, "other");
      assert.deepEqual(otherAuthenticator.calls, [GOOD_TOKEN]);
      assert.deepEqual(calls(), { authenticate: 0, find: 0, apiToken: 0 });

      otherAuthenticator.identities.set(GOOD_TOKEN, { ...identity, namespace: "other-grants" });
      await assertRefused(run(request("/clusters/other/api/v1/pods", bearer())), {
        type: Unauthorized,
        code: 401,
        message: /not managed by kube-broker/,
      });
      assert.deepEqual(finder.calls, [["other", "kb-dev-g1"]], "looked up under the cluster's own name");
    });
  });

  describe("an admitted request", () => {
    it("in gateway mode is forwarded with the minted API token, not the presented one", async () => {
      const cluster = clusters.get("test")!;
      assert.equal(cluster.config.tokenAudience, "gateway", "the default");
      const req = request(
        "/clusters/test/api/v1/namespaces/team-a/pods?labelSelector=app%3Dweb&watch=1",
        bearer(),
      );
      const ctx = context(req);
      const admitted = await run(req, ctx);
      assert.equal(admitted.cluster, cluster);
      assert.equal(admitted.authorization, "Bearer minted-api-token-for-g1");
      assert.equal(admitted.upstreamPath, "/api/v1/namespaces/team-a/pods?labelSelector=app%3Dweb&watch=1");
      assert.deepEqual(apiTokens.calls, [grant]);
      assert.deepEqual(calls(), { authenticate: 1, find: 1, apiToken: 1 });

      assert.equal(ctx.cluster, "test");
      assert.equal(ctx.rawPath, "/api/v1/namespaces/team-a/pods");
      assert.equal(ctx.query.get("labelSelector"), "app=web");
      assert.equal(ctx.attrs?.verb, "watch");
      assert.equal(ctx.attrs?.namespace, "team-a");
      assert.equal(ctx.attrs?.resource, "pods");
      assert.equal(ctx.grant, grant);
    });

    it("in api mode is forwarded with the presented token, and no token is minted", async () => {
      const apiMode = useCluster(clusterConfig("test", { tokenAudience: "api" }));
      assert.equal(apiMode.config.tokenAudience, "api");
      // Scheme case and trailing spaces are tolerated; what is forwarded is normalized.
      const req = request("/clusters/test/api/v1/namespaces/team-a/pods/web/log?follow=true", {
        authorization: `bearer ${GOOD_TOKEN}  `,
      });
      const ctx = context(req);
      const admitted = await run(req, ctx);
      assert.equal(admitted.cluster, apiMode);
      assert.equal(admitted.authorization, `Bearer ${GOOD_TOKEN}`);
      assert.equal(admitted.upstreamPath, "/api/v1/namespaces/team-a/pods/web/log?follow=true");
      assert.deepEqual(calls(), { authenticate: 1, find: 1, apiToken: 0 });
      assert.equal(ctx.grant, grant);
      assert.equal(ctx.attrs?.subresource, "log");
    });

    it("goes upstream at its raw path and query, without the /clusters/<name> prefix", async () => {
      const cases: [url: string, upstreamPath: string][] = [
        ["/clusters/test", "/"],
        ["/clusters/test/", "/"],
        ["/clusters/test?timeout=32s", "/?timeout=32s"],
        ["/clusters/test/version?timeout=32s", "/version?timeout=32s"],
        [
          "/clusters/test/api/v1/namespaces/team-a/configmaps/a%3Ab",
          "/api/v1/namespaces/team-a/configmaps/a%3Ab",
        ],
        [
          "/clusters/test/apis/apps/v1/namespaces/team-a/deployments?fieldSelector=metadata.name%3Dweb&x=a+b;c",
          "/apis/apps/v1/namespaces/team-a/deployments?fieldSelector=metadata.name%3Dweb&x=a+b;c",
        ],
        [
          "/clusters/test/api/v1/namespaces/team-a/pods/web/exec?command=sh&command=-c&stdin=true&tty=true",
          "/api/v1/namespaces/team-a/pods/web/exec?command=sh&command=-c&stdin=true&tty=true",
        ],
        ["/clusters/test/api/v1/namespaces/team-a/pods?", "/api/v1/namespaces/team-a/pods"],
      ];
      for (const [url, upstreamPath] of cases) {
        const admitted = await run(request(url, bearer()));
        assert.equal(admitted.upstreamPath, upstreamPath, url);
      }
    });
  });
});
