import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import { kubeRequest } from "../../../tools/stand-in/client.ts";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import { asAdmin, ensureNamespace, pod, serviceAccountToken } from "./fixtures.ts";

const UNAUTHORIZED = {
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message: "Unauthorized",
  reason: "Unauthorized",
  code: 401,
};

const whoami = (standIn: StandIn, token: string) =>
  kubeRequest(standIn, "/apis/authentication.k8s.io/v1/selfsubjectreviews", {
    method: "POST",
    token,
    body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
  });

describe("stand-in authentication", () => {
  let standIn: StandIn;
  before(async () => {
    standIn = await startStandIn({ apiAudiences: ["https://kubernetes.default.svc", "api-2"] });
    ensureNamespace(standIn, "team-a");
  });
  after(() => standIn.close());

  it("serves /version and health without credentials, and 401 elsewhere", async () => {
    for (const path of ["/version", "/healthz", "/readyz", "/livez"]) {
      assert.equal((await kubeRequest(standIn, path)).status, 200, path);
    }
    for (const path of ["/api", "/api/v1/namespaces", "/openid/v1/jwks"]) {
      const res = await kubeRequest(standIn, path);
      assert.equal(res.status, 401, path);
      assert.deepEqual(res.json(), UNAUTHORIZED);
    }
    const bad = await kubeRequest(standIn, "/version", { token: "not-a-token" });
    assert.equal(bad.status, 401, "a bad token is refused even where anonymous would pass");
  });

  it("authenticates the admin as kubernetes-admin in system:masters", async () => {
    const res = await whoami(standIn, standIn.adminToken);
    assert.equal(res.status, 201);
    assert.deepEqual(res.json<{ status: unknown }>().status, {
      userInfo: { username: "kubernetes-admin", groups: ["system:masters", "system:authenticated"] },
    });
  });

  it("issues service-account JWTs with the real claims and authenticates them", async () => {
    const token = await serviceAccountToken(standIn, "team-a", "robot");
    const header = decodeProtectedHeader(token);
    assert.equal(header.alg, "RS256");
    const claims = decodeJwt(token) as Record<string, unknown>;
    const sa = standIn.store.get("serviceaccounts", { namespace: "team-a", name: "robot" });
    assert.equal(claims.iss, "https://kubernetes.default.svc");
    assert.equal(claims.sub, "system:serviceaccount:team-a:robot");
    assert.deepEqual(claims.aud, ["https://kubernetes.default.svc", "api-2"]);
    assert.equal((claims.exp as number) - (claims.iat as number), 3600);
    assert.equal(claims.nbf, claims.iat);
    assert.match(String(claims.jti), /^[0-9a-f-]{36}$/);
    assert.deepEqual(claims["kubernetes.io"], {
      namespace: "team-a",
      serviceaccount: { name: "robot", uid: sa.metadata.uid },
    });

    const res = await whoami(standIn, token);
    assert.deepEqual(res.json<{ status: unknown }>().status, {
      userInfo: {
        username: "system:serviceaccount:team-a:robot",
        uid: sa.metadata.uid,
        groups: ["system:serviceaccounts", "system:serviceaccounts:team-a", "system:authenticated"],
        extra: { "authentication.kubernetes.io/credential-id": [`JTI=${claims.jti}`] },
      },
    });
  });

  it("refuses a token whose ServiceAccount was deleted, on the very next request", async () => {
    const token = await serviceAccountToken(standIn, "team-a", "short-lived", { clusterRole: "view" });
    assert.equal((await kubeRequest(standIn, "/api/v1/namespaces/team-a/pods", { token })).status, 200);
    standIn.store.delete("serviceaccounts", { namespace: "team-a", name: "short-lived" });
    const res = await kubeRequest(standIn, "/api/v1/namespaces/team-a/pods", { token });
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), UNAUTHORIZED);
    // A new ServiceAccount of the same name has another UID: the old token stays dead.
    standIn.store.create({ kind: "ServiceAccount", metadata: { name: "short-lived", namespace: "team-a" } });
    assert.equal((await kubeRequest(standIn, "/api/v1/namespaces/team-a/pods", { token })).status, 401);
  });

  it("refuses a token bound to a pod or secret once that object is gone", async () => {
    standIn.store.create({ kind: "ServiceAccount", metadata: { name: "bound", namespace: "team-a" } });
    const p = standIn.store.create(pod("team-a", "bound-pod", {}, "bound"));
    const s = standIn.store.create({
      kind: "Secret",
      metadata: { name: "bound-secret", namespace: "team-a" },
    });
    const podToken = await standIn.issueToken("team-a", "bound", {
      boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "bound-pod", uid: p.metadata.uid },
    });
    const secretToken = await standIn.issueToken("team-a", "bound", {
      boundObjectRef: { kind: "Secret", apiVersion: "v1", name: "bound-secret", uid: s.metadata.uid },
    });
    const extra = (await whoami(standIn, podToken)).json<{ status: { userInfo: { extra: object } } }>().status
      .userInfo.extra;
    assert.deepEqual(extra, {
      "authentication.kubernetes.io/credential-id": [`JTI=${decodeJwt(podToken).jti}`],
      "authentication.kubernetes.io/pod-name": ["bound-pod"],
      "authentication.kubernetes.io/pod-uid": [p.metadata.uid],
      "authentication.kubernetes.io/node-name": ["stand-in-node"],
      "authentication.kubernetes.io/node-uid": [
        standIn.store.get("nodes", { name: "stand-in-node" }).metadata.uid,
      ],
    });
    standIn.store.delete("pods", { namespace: "team-a", name: "bound-pod" });
    standIn.store.delete("secrets", { namespace: "team-a", name: "bound-secret" });
    assert.equal((await whoami(standIn, podToken)).status, 401);
    assert.equal((await whoami(standIn, secretToken)).status, 401);
  });

  it("accepts a token only for one of the server's audiences", async () => {
    const other = await serviceAccountToken(standIn, "team-a", "aud", undefined, {
      audiences: ["kube-broker:prod"],
    });
    assert.equal((await whoami(standIn, other)).status, 401);
    const second = await standIn.issueToken("team-a", "aud", { audiences: ["api-2"] });
    assert.equal((await whoami(standIn, second)).status, 201);
  });

  it("answers TokenReview honouring spec.audiences", async () => {
    const token = await serviceAccountToken(standIn, "team-a", "reviewed", undefined, {
      audiences: ["kube-broker:prod", "other"],
    });
    const review = (audiences?: string[]) =>
      asAdmin(standIn, "/apis/authentication.k8s.io/v1/tokenreviews", {
        method: "POST",
        body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token, audiences } },
      });
    const ok = await review(["kube-broker:prod"]);
    assert.equal(ok.status, 201);
    const status = ok.json<{
      status: { authenticated: boolean; audiences: string[]; user: { username: string } };
    }>().status;
    assert.equal(status.authenticated, true);
    assert.deepEqual(status.audiences, ["kube-broker:prod"]);
    assert.equal(status.user.username, "system:serviceaccount:team-a:reviewed");
    const wrong = (await review()).json<{ status: { authenticated: boolean; error: string } }>().status;
    assert.equal(wrong.authenticated, false);
    assert.match(
      wrong.error,
      /token audiences \["kube-broker:prod" "other"\] is invalid for the target audiences/,
    );
    const viewer = await serviceAccountToken(standIn, "team-a", "no-review", { clusterRole: "view" });
    const denied = await kubeRequest(standIn, "/apis/authentication.k8s.io/v1/tokenreviews", {
      method: "POST",
      token: viewer,
      body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token } },
    });
    assert.equal(denied.status, 403, "TokenReview needs system:auth-delegator");
  });

  it("serves issuer discovery and the JWKS to service accounts, whose tokens verify against it", async () => {
    const token = await serviceAccountToken(standIn, "team-a", "discoverer");
    const config = await kubeRequest(standIn, "/.well-known/openid-configuration", { token });
    assert.equal(config.status, 200);
    assert.equal(config.json().issuer, "https://kubernetes.default.svc");
    assert.equal(config.json().jwks_uri, `${standIn.url}/openid/v1/jwks`);
    const jwks = await kubeRequest(standIn, "/openid/v1/jwks", { token });
    const keys = jwks.json<JSONWebKeySet>().keys;
    assert.equal(keys[0]?.kid, decodeProtectedHeader(token).kid);
    assert.equal(keys[0]?.alg, "RS256");
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks.json<JSONWebKeySet>()), {
      issuer: "https://kubernetes.default.svc",
      audience: "https://kubernetes.default.svc",
    });
    assert.equal(payload.sub, "system:serviceaccount:team-a:discoverer");
    assert.equal((await asAdmin(standIn, "/openid/v1/jwks")).status, 200);
  });

  it("records each request with its user and status", async () => {
    const before = standIn.requests.length;
    await kubeRequest(standIn, "/api/v1/namespaces", { token: "nope" });
    await asAdmin(standIn, "/api/v1/namespaces/team-a");
    const recorded = standIn.requests.slice(before);
    assert.deepEqual(
      recorded.map(({ method, path, user, status }) => ({ method, path, user, status })),
      [
        { method: "GET", path: "/api/v1/namespaces", user: "", status: 401 },
        { method: "GET", path: "/api/v1/namespaces/team-a", user: "kubernetes-admin", status: 200 },
      ],
    );
  });

  it("honours Impersonate-* headers only with the impersonate verb", async () => {
    const token = await serviceAccountToken(standIn, "team-a", "imp", { clusterRole: "view" });
    const headers = { "impersonate-user": "system:serviceaccount:team-a:default" };
    const refused = await kubeRequest(standIn, "/api/v1/namespaces/team-a/pods", { token, headers });
    assert.equal(refused.status, 403);
    assert.equal(
      refused.json().message,
      'serviceaccounts "default" is forbidden: User "system:serviceaccount:team-a:imp" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "team-a"',
    );
    const impersonating = await kubeRequest(standIn, "/apis/authentication.k8s.io/v1/selfsubjectreviews", {
      method: "POST",
      token: standIn.adminToken,
      headers: { "impersonate-user": "jane", "impersonate-group": "devs" },
      body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
    });
    assert.deepEqual(impersonating.json<{ status: unknown }>().status, {
      userInfo: { username: "jane", groups: ["devs", "system:authenticated"] },
    });
  });
});

describe("stand-in authentication with kube-apiserver's token cache", () => {
  it("keeps accepting a deleted ServiceAccount's token while its success is cached", async () => {
    const standIn = await startStandIn({ tokenSuccessCacheSeconds: 10 });
    try {
      ensureNamespace(standIn, "team-a");
      const token = await serviceAccountToken(standIn, "team-a", "cached", { clusterRole: "view" });
      const path = "/api/v1/namespaces/team-a/pods";
      assert.equal((await kubeRequest(standIn, path, { token })).status, 200);
      standIn.store.delete("serviceaccounts", { namespace: "team-a", name: "cached" });
      assert.equal(
        (await kubeRequest(standIn, path, { token })).status,
        200,
        "as a real server would, for up to 10 s",
      );
    } finally {
      await standIn.close();
    }
  });
});
