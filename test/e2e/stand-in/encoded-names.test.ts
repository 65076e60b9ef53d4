import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { kubeRequest } from "../../../tools/stand-in/client.ts";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";

/** The API server splits the decoded path: %3A in a name is the ':' of system:… roles. */
describe("stand-in paths with encoded names", () => {
  let standIn: StandIn;
  before(async () => {
    standIn = await startStandIn();
  });
  after(() => standIn.close());

  it("reads a ClusterRole whose name holds a ':' sent percent-encoded, as client-node sends it", async () => {
    const encoded = await kubeRequest(
      { url: standIn.url, caCert: standIn.caCert },
      "/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Anode-bootstrapper",
      { token: standIn.adminToken },
    );
    assert.equal(encoded.status, 200, encoded.text);
    assert.equal(encoded.json<{ metadata: { name: string } }>().metadata.name, "system:node-bootstrapper");
  });
});
