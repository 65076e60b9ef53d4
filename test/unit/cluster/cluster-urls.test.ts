import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clusterUrls } from "../../../src/cluster/cluster-urls.ts";
import type { Config } from "../../../src/config/schema.ts";
import { testConfig } from "../../support/fakes/test-config.ts";

const withGateway = (gateway?: Config["server"]["gateway"]) => {
  const config = testConfig();
  return { ...config, server: { ...config.server, publicUrl: "https://broker.example.com:8443", gateway } };
};

describe("cluster URLs for kubeconfigs", () => {
  it("without a prefix-free listener: /clusters/<name> on the broker", () => {
    const config = withGateway(undefined);
    assert.deepEqual(clusterUrls(config, config.clusters[0]!), {
      server: `https://broker.example.com:8443/clusters/${config.clusters[0]!.name}`,
      prefixed: `https://broker.example.com:8443/clusters/${config.clusters[0]!.name}`,
    });
  });

  it("with one, by audience: the broker's host on the listener's port, for gateway-mode clusters only", () => {
    const config = withGateway({ listen: "0.0.0.0:8444" });
    const gatewayMode = { ...config.clusters[0]!, tokenAudience: "gateway" as const };
    assert.equal(clusterUrls(config, gatewayMode).server, "https://broker.example.com:8444");
    const apiMode = { ...gatewayMode, tokenAudience: "api" as const };
    assert.equal(
      clusterUrls(config, apiMode).server,
      `https://broker.example.com:8443/clusters/${apiMode.name}`,
    );
    assert.equal(clusterUrls(config, apiMode).prefixFree, undefined);
  });

  it("with a public URL and a domain: <cluster>.<domain> for every cluster", () => {
    const config = withGateway({
      listen: "0.0.0.0:8444",
      publicUrl: "https://gw.example.com",
      domain: "gw.example.com",
    });
    const apiMode = { ...config.clusters[0]!, name: "prod", tokenAudience: "api" as const };
    assert.deepEqual(clusterUrls(config, apiMode), {
      server: "https://prod.gw.example.com",
      prefixed: "https://broker.example.com:8443/clusters/prod",
      prefixFree: "https://prod.gw.example.com",
    });
  });
});
