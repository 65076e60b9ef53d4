import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type FakeBroker, fakeBroker, runSignedIn } from "../../support/fakes/fake-broker.ts";

describe("kubectl broker request --break-glass", () => {
  let broker: FakeBroker;
  const approved = {
    id: "r1",
    requester: "oncall@example.com",
    cluster: "prod",
    role: "edit",
    namespaces: ["payments"],
    duration: 1200,
    reason: "INC-7",
    breakGlass: true,
    state: "approved",
    createdAt: "2026-01-01T00:00:00.000Z",
    expiresAt: "2026-01-01T00:05:00.000Z",
    approvalsRequired: 1,
    approvals: [{ by: "oncall@example.com", at: "2026-01-01T00:00:00.000Z", comment: "break-glass" }],
    decidedAt: "2026-01-01T00:00:00.000Z",
    grantId: "g1",
  };
  before(async () => {
    broker = await fakeBroker({ "POST /v1/requests": { status: 201, body: approved } });
  });
  after(() => broker.close());

  const run = (args: string[]) => runSignedIn(broker.url, args);
  const ask = [
    "request",
    "--server",
    "",
    "--cluster",
    "prod",
    "--role",
    "edit",
    "-n",
    "payments",
    "--for",
    "20m",
  ];

  it("asks for break-glass and says the access was granted at once", async () => {
    const asked = broker.asked.length;
    const result = await run([...ask.map((a) => a || broker.url), "--break-glass", "--reason", "INC-7"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "r1\n");
    assert.match(
      result.stderr,
      /^BREAK-GLASS: access granted at once, with no approver: edit in payments on prod for 20m, grant g1 \(request r1\)\./m,
    );
    assert.match(
      result.stderr,
      /^Use it: kubectl broker kubeconfig --cluster prod --role edit -n payments$/m,
    );
    assert.deepEqual(broker.asked.slice(asked)[0]?.body, {
      cluster: "prod",
      role: "edit",
      namespaces: ["payments"],
      duration: 1200,
      reason: "INC-7",
      breakGlass: true,
    });
  });

  it("needs a reason, said in one line, before asking the broker", async () => {
    const asked = broker.asked.length;
    for (const reason of [[], ["--reason", " "]]) {
      const result = await run([...ask.map((a) => a || broker.url), "--break-glass", ...reason]);
      assert.equal(result.code, 2);
      assert.equal(result.stderr.trim().split("\n").length, 1, `one line: ${JSON.stringify(result.stderr)}`);
      assert.match(result.stderr, /--break-glass needs --reason "…"/);
    }
    assert.equal(broker.asked.length, asked, "nothing was sent");
  });
});
