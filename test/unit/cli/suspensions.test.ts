import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runCli } from "../../../src/cli/run-cli.ts";
import { type FakeBroker, fakeBroker, signedInContext } from "../../support/fakes/fake-broker.ts";

describe("kubectl broker suspensions", () => {
  let broker: FakeBroker;
  const suspension = {
    cluster: "prod",
    user: "dev@example.com",
    subject: "sub-dev",
    by: "alert rule exec-in-prod",
    reason: "a shell in production: create pods/exec payments/api-1",
    at: "2026-01-01T00:00:00.000Z",
    alert: "a-1",
  };
  before(async () => {
    broker = await fakeBroker({
      "GET /v1/suspensions": { body: { items: [suspension] } },
      "DELETE /v1/suspensions/prod/dev%40example.com": { body: suspension },
      "DELETE /v1/suspensions/prod/other%40example.com": {
        status: 403,
        body: {
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          code: 403,
          reason: "Forbidden",
          message: "only admins can lift a suspension of standing access",
        },
      },
    });
  });
  after(() => broker.close());

  const run = async (args: string[]) => {
    const { ctx, printed, cleanup } = signedInContext(broker.url);
    try {
      return { code: await runCli([...args, "--server", broker.url], ctx), ...printed };
    } finally {
      cleanup();
    }
  };

  it("lists whose standing access is suspended where, by what and why", async () => {
    const listed = await run(["suspensions"]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^USER +CLUSTER +SUSPENDED BY +SINCE +REASON\n/);
    assert.match(
      listed.stdout,
      /dev@example\.com +prod +alert rule exec-in-prod +(in|\d).* +a shell in production/,
    );
    const json = await run(["suspensions", "-o", "json"]);
    assert.deepEqual(JSON.parse(json.stdout), { items: [suspension] });
    assert.equal((await run(["suspensions", "-o", "name"])).stdout, "suspension/prod/dev@example.com\n");
  });

  it("lift: asks the broker to delete it, prints its name, says what happened", async () => {
    const lifted = await run(["suspensions", "lift", "dev@example.com", "--cluster", "prod"]);
    assert.equal(lifted.code, 0, lifted.stderr);
    assert.equal(lifted.stdout, "suspension/prod/dev@example.com\n");
    assert.match(
      lifted.stderr,
      /Standing access of dev@example\.com to prod is back \(suspended by alert rule/,
    );
    assert.deepEqual(broker.asked.at(-1), {
      method: "DELETE",
      path: "/v1/suspensions/prod/dev%40example.com",
      body: undefined,
    });
  });

  it("lift: a refusal is one line; a missing user or cluster is a usage error", async () => {
    const refused = await run(["suspensions", "lift", "other@example.com", "--cluster", "prod"]);
    assert.notEqual(refused.code, 0);
    assert.equal(refused.stdout, "");
    assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
    assert.match(refused.stderr, /only admins can lift a suspension/);
    const asked = broker.asked.length;
    const noUser = await run(["suspensions", "lift", "--cluster", "prod"]);
    assert.equal(noUser.code, 2);
    assert.match(noUser.stderr, /whose\? kubectl broker suspensions lift USER --cluster CLUSTER/);
    const noCluster = await run(["suspensions", "lift", "dev@example.com"]);
    assert.equal(noCluster.code, 2);
    assert.match(noCluster.stderr, /--cluster is required/);
    assert.equal(broker.asked.length, asked, "nothing was asked of the broker");
  });
});
