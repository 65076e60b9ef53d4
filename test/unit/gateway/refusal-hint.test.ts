import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { refusalHint } from "../../../src/gateway/refusal-hint.ts";
import { grantFixture } from "../../support/fakes/grant-fixture.ts";
import { configWith } from "../../support/fakes/policy-config.ts";

describe("the hint added to a cluster's refusal", () => {
  const config = configWith(
    {
      standing: [{ subjects: { groups: ["developers"] }, roles: ["view"], namespaces: ["team-*"] }],
      requests: [
        {
          subjects: { groups: ["developers"] },
          roles: ["edit"],
          namespaces: ["team-*"],
          approvers: { groups: ["sre"] },
          maxDuration: "15m",
        },
      ],
    },
    { clusters: [{ name: "test", auth: { kind: "in-cluster" } }] },
  );
  const attrs = (namespace: string) => ({ namespace }) as never;

  it("suggests a role above the one held, never longer than policy allows", () => {
    const grant = grantFixture("g1", { namespaces: ["team-a", "team-b"] });
    assert.equal(
      refusalHint(config, grant, attrs("team-b")),
      'through kube-broker you hold role "view" in namespaces "team-a", "team-b" on cluster "test" (grant g1); ' +
        'ask for more with: kubectl broker request --cluster test --role edit -n team-b --for 15m --reason "…"',
    );
  });

  it("says when nothing more can be asked for", () => {
    const grant = grantFixture("g2", { role: "edit" });
    assert.match(
      refusalHint(config, grant, attrs("team-a")),
      /; no policy lets you ask for more here; ask the broker's administrators$/,
    );
    assert.match(
      refusalHint(config, grantFixture("g3"), attrs("kube-system")),
      /no policy lets you ask for more here/,
    );
  });

  it("describes a cluster-wide grant as such", () => {
    const grant = grantFixture("g4", { role: "cluster-reader", clusterWide: true, namespaces: [] });
    assert.match(
      refusalHint(config, grant, attrs("")),
      /^through kube-broker you hold role "cluster-reader" cluster-wide on cluster "test" \(grant g4\)/,
    );
  });
});
