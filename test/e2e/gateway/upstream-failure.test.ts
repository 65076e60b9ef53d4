import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { requestRecords } from "../../support/audit-log.ts";
import { type Stack, startStack } from "../../support/stack.ts";

/** When the cluster cannot be reached, kubectl gets a Status it can read, and the audit says so. */
describe("gateway upstream failures", () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack?.close());

  it("answers 502 with a Status when the cluster is down, audited as an error", async () => {
    const session = await stack.login("dev");
    const { token } = await stack.credential(session, { role: "view", namespace: "team-a" });
    const call = () =>
      fetch(`${stack.url}/clusters/test/api/v1/namespaces/team-a/pods`, {
        headers: { authorization: `Bearer ${token}` },
      });
    assert.equal((await call()).status, 200, "works while the cluster is up");
    await stack.standIn.close();
    const res = await call();
    assert.equal(res.status, 502);
    const status = (await res.json()) as { kind: string; code: number; message: string };
    assert.equal(status.kind, "Status");
    assert.match(status.message, /the cluster "test" could not be reached/);
    const deadline = Date.now() + 2000;
    let records = await requestRecords(stack.redis, { status: "502" });
    while (records.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      records = await requestRecords(stack.redis, { status: "502" });
    }
    assert.equal(records[0]?.decision, "error");
  });
});
