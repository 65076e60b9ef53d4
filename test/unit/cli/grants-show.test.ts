import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type FakeBroker, fakeBroker, runSignedIn } from "../../support/fakes/fake-broker.ts";

describe("kubectl broker grants show", () => {
  let broker: FakeBroker;
  const grant = {
    id: "g1",
    user: "dev@example.com",
    kind: "user",
    cluster: "prod",
    role: "edit",
    namespaces: ["team-a"],
    clusterWide: false,
    origin: "request",
    reason: "INC-9",
    state: "active",
    createdAt: "2026-01-01T00:00:00.000Z",
    expiresAt: "2030-01-01T00:00:00.000Z",
    serviceAccount: "kube-broker-grants/kb-dev-g1",
  };
  const created = {
    apiGroup: "rbac.authorization.k8s.io",
    apiVersion: "v1",
    resource: "rolebindings",
    namespace: "team-a",
    name: "to-app",
    ts: "2026-01-01T00:05:00.000Z",
    kubectlCommand: "kubectl create rolebinding",
  };
  before(async () => {
    broker = await fakeBroker({
      "GET /v1/grants/g1": { body: grant },
      "GET /v1/grants/g1/objects": { body: { items: [created] } },
    });
  });
  after(() => broker.close());

  const run = (args: string[]) => runSignedIn(broker.url, args);

  it("shows the grant and every object created through it", async () => {
    const shown = await run(["grants", "show", "g1", "--server", broker.url]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^Grant: +g1$/m);
    assert.match(shown.stdout, /^Origin: +request: INC-9$/m);
    assert.match(
      shown.stdout,
      /Created through this grant:\n.*RESOURCE.*\n.*rolebindings\.rbac\.authorization\.k8s\.io +team-a +to-app +kubectl create rolebinding/i,
    );
  });

  it("prints the grant with what it created as JSON, and needs an id", async () => {
    const json = await run(["grants", "show", "g1", "--server", broker.url, "-o", "json"]);
    assert.deepEqual(JSON.parse(json.stdout), { ...grant, created: [created] });
    const missing = await run(["grants", "show", "--server", broker.url]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /which grant\? kubectl broker grants show ID/);
  });
});
