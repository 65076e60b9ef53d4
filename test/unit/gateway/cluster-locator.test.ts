import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import type { ClusterConfig } from "../../../src/config/schema.ts";
import type { GatewayCluster } from "../../../src/gateway/admission.ts";
import { byHostOrAudience, byPathPrefix } from "../../../src/gateway/cluster-locator.ts";
import { NotFound, Unauthorized } from "../../../src/shared/errors.ts";

const cluster = (name: string, extra: Partial<ClusterConfig> = {}) =>
  ({ config: { name, tokenAudience: "gateway", ...extra } }) as unknown as GatewayCluster;
const clusters = new Map([
  ["prod", cluster("prod")],
  ["stage", cluster("stage", { gatewayAudience: "custom-stage" })],
  ["legacy", cluster("legacy", { tokenAudience: "api" })],
]);
const request = (url: string, headers: Record<string, string> = {}) =>
  ({ url, headers }) as unknown as IncomingMessage;
/** An unsigned JWT carrying `aud`: the locator only reads it (the authenticator verifies). */
const jwt = (aud: unknown) =>
  `e30.${Buffer.from(JSON.stringify({ aud, sub: "x" })).toString("base64url")}.sig`;
const BROKER = "https://broker.example.com";

describe("cluster locators", () => {
  it("by path prefix: the name after /clusters/, the rest as the cluster's path and query", () => {
    const locate = byPathPrefix(clusters);
    const located = locate(request("/clusters/prod/api/v1/pods?watch=1&x=%2F"));
    assert.equal(located.cluster, clusters.get("prod"));
    assert.deepEqual([located.rawPath, located.rawQuery], ["/api/v1/pods", "watch=1&x=%2F"]);
    assert.equal(locate(request("/clusters/prod")).rawPath, "/");
    assert.throws(() => locate(request("/clusters/nope/api")), NotFound);
    assert.throws(() => locate(request("/api/v1/pods")), NotFound);
  });

  it("by audience: the gateway-mode cluster whose audience the token carries, default or configured", () => {
    const locate = byHostOrAudience(clusters, { brokerUrl: BROKER });
    const bearer = (aud: unknown) => request("/api/v1/pods?limit=1", { authorization: `Bearer ${jwt(aud)}` });
    const prod = locate(bearer("kube-broker:prod"));
    assert.equal(prod.cluster, clusters.get("prod"));
    assert.deepEqual([prod.rawPath, prod.rawQuery], ["/api/v1/pods", "limit=1"]);
    assert.equal(locate(bearer(["other", "custom-stage"])).cluster, clusters.get("stage"));
    // An api-mode cluster's audience is the API server's: it names no cluster here.
    for (const aud of ["kube-broker:legacy", "https://kubernetes.default.svc", 42, undefined]) {
      assert.throws(
        () => locate(bearer(aud)),
        (err) => err instanceof NotFound && err.message.includes(`${BROKER}/clusters/<cluster>`),
      );
    }
    assert.throws(() => locate(request("/api", { authorization: "Bearer not-a-jwt" })), NotFound);
    assert.throws(() => locate(request("/api", { authorization: "Bearer a.%%%.c" })), NotFound);
    assert.throws(() => locate(request("/api")), Unauthorized);
  });

  it("by host: <cluster>.<domain>, any port, any case; api-mode clusters too", () => {
    const locate = byHostOrAudience(clusters, { domain: "gw.example.com", brokerUrl: BROKER });
    const at = (host: string) => locate(request("/version", { host }));
    assert.equal(at("prod.gw.example.com").cluster, clusters.get("prod"));
    assert.equal(at("Legacy.GW.example.com:8444").cluster, clusters.get("legacy"));
    for (const host of [
      "gw.example.com",
      "nope.gw.example.com",
      "prod.gw.example.com.evil.io",
      "prod.other.com",
    ]) {
      assert.throws(() => at(host), NotFound, host);
    }
    // With a domain, the host alone decides: a token's audience does not move the request.
    const moved = locate(
      request("/version", { host: "prod.gw.example.com", authorization: `Bearer ${jwt("custom-stage")}` }),
    );
    assert.equal(moved.cluster, clusters.get("prod"));
  });
});
