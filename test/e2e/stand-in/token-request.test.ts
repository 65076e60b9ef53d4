import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decodeJwt } from "jose";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import { asAdmin, ensureNamespace, pod } from "./fixtures.ts";

const PATH = "/api/v1/namespaces/tr/serviceaccounts/robot/token";

interface TokenRequestAnswer {
  metadata: { name: string; namespace: string };
  spec: { audiences: string[]; expirationSeconds: number };
  status: { token: string; expirationTimestamp: string };
}

describe("stand-in TokenRequest", () => {
  let standIn: StandIn;
  const requestToken = (spec: Record<string, unknown>, path = PATH) =>
    asAdmin(standIn, path, {
      method: "POST",
      body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec },
    });

  before(async () => {
    standIn = await startStandIn({ maxTokenExpirationSeconds: 7200 });
    ensureNamespace(standIn, "tr");
    standIn.store.create({ kind: "ServiceAccount", metadata: { name: "robot", namespace: "tr" } });
  });
  after(() => standIn.close());

  it("issues a token with the server's audiences and a one-hour default", async () => {
    const res = await requestToken({});
    assert.equal(res.status, 201);
    const answer = res.json<TokenRequestAnswer>();
    assert.deepEqual(answer.spec.audiences, ["https://kubernetes.default.svc"]);
    assert.equal(answer.spec.expirationSeconds, 3600);
    const claims = decodeJwt(answer.status.token);
    assert.equal(claims.exp! - claims.iat!, 3600);
    assert.equal(Date.parse(answer.status.expirationTimestamp) / 1000, claims.exp);
    assert.equal(answer.metadata.name, "robot");
  });

  it("refuses less than ten minutes and more than 2^32 seconds with 422", async () => {
    const short = await requestToken({ expirationSeconds: 599 });
    assert.equal(short.status, 422);
    assert.equal(short.json().reason, "Invalid");
    assert.equal(
      short.json().message,
      'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes',
    );
    const long = await requestToken({ expirationSeconds: 2 ** 32 + 1 });
    assert.equal(long.status, 422);
    assert.match(
      long.json<{ message: string }>().message,
      /may not specify a duration larger than 2\^32 seconds/,
    );
    assert.equal((await requestToken({ expirationSeconds: 600 })).status, 201);
  });

  it("cuts lifetimes to the max-expiration cap and says so in a Warning header", async () => {
    const res = await requestToken({ expirationSeconds: 86400, audiences: ["kube-broker:prod"] });
    assert.equal(res.status, 201);
    assert.equal(
      res.headers.warning,
      '299 - "requested expiration of 86400 seconds shortened to 7200 seconds"',
    );
    const answer = res.json<TokenRequestAnswer>();
    assert.equal(answer.spec.expirationSeconds, 7200);
    assert.deepEqual(answer.spec.audiences, ["kube-broker:prod"]);
    const claims = decodeJwt(answer.status.token);
    assert.equal(claims.exp! - claims.iat!, 7200);
    assert.deepEqual(claims.aud, ["kube-broker:prod"]);
  });

  it("binds to Pods, Secrets and Nodes only, and checks they exist with that UID", async () => {
    const p = standIn.store.create(pod("tr", "runner", {}, "robot"));
    const ok = await requestToken({
      boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "runner", uid: p.metadata.uid },
    });
    assert.equal(ok.status, 201);
    const claims = decodeJwt(ok.json<TokenRequestAnswer>().status.token) as Record<
      string,
      Record<string, unknown>
    >;
    assert.deepEqual(claims["kubernetes.io"]?.pod, { name: "runner", uid: p.metadata.uid });

    const configMap = await requestToken({
      boundObjectRef: { kind: "ConfigMap", apiVersion: "v1", name: "x" },
    });
    assert.equal(configMap.status, 400);
    assert.equal(configMap.json().message, "cannot bind token to object of type /v1, Kind=ConfigMap");
    const missing = await requestToken({
      boundObjectRef: { kind: "Secret", apiVersion: "v1", name: "nope" },
    });
    assert.equal(missing.status, 404);
    assert.equal(missing.json().message, 'secrets "nope" not found');
    const stale = await requestToken({
      boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "runner", uid: "old" },
    });
    assert.equal(stale.status, 409);
    assert.match(
      stale.json<{ message: string }>().message,
      /^Operation cannot be fulfilled on Pod "runner": the UID in the bound object reference \(old\) does not match/,
    );
    standIn.store.create(pod("tr", "someone-else"));
    const otherSa = await requestToken({
      boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "someone-else" },
    });
    assert.equal(otherSa.status, 400);
    const node = await requestToken({
      boundObjectRef: { kind: "Node", apiVersion: "v1", name: "stand-in-node" },
    });
    assert.equal(node.status, 201);
  });

  it("extends a pod-bound 3607-second request to a year, as the real server does", async () => {
    const res = await requestToken({
      expirationSeconds: 3607,
      boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "runner" },
    });
    const answer = res.json<TokenRequestAnswer>();
    const claims = decodeJwt(answer.status.token) as Record<string, unknown> & { exp: number; iat: number };
    assert.equal(claims.exp - claims.iat, 365 * 24 * 3600);
    assert.equal((claims["kubernetes.io"] as { warnafter: number }).warnafter, claims.iat + 3607);
    assert.equal(answer.spec.expirationSeconds, 3607, "status still reports what was asked");
  });

  it("answers 404 for a missing ServiceAccount and 403 without create on serviceaccounts/token", async () => {
    const missing = await requestToken({}, "/api/v1/namespaces/tr/serviceaccounts/ghost/token");
    assert.equal(missing.status, 404);
    assert.equal(missing.json().message, 'serviceaccounts "ghost" not found');
    standIn.store.create({ kind: "ServiceAccount", metadata: { name: "viewer", namespace: "tr" } });
    standIn.store.create({
      kind: "RoleBinding",
      metadata: { name: "viewer", namespace: "tr" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects: [{ kind: "ServiceAccount", name: "viewer" }],
    });
    const token = await standIn.issueToken("tr", "viewer");
    const refused = await asAdmin(standIn, PATH, { token, method: "POST", body: { spec: {} } });
    assert.equal(refused.status, 403);
    assert.equal(
      refused.json().message,
      'serviceaccounts "robot" is forbidden: User "system:serviceaccount:tr:viewer" cannot create resource "serviceaccounts/token" in API group "" in the namespace "tr"',
    );
  });
});
