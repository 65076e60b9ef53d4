import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { requestRecords } from "../../support/audit-log.ts";
import { rawGet, rawRequest } from "../../support/raw-http.ts";
import { STANDING_EDIT, type Stack, startStack } from "../../support/stack.ts";

/** How the gateway treats the client's connection and its own connections to the cluster. */
describe("gateway connections", () => {
  let stack: Stack;
  let token: string;
  const pods = "/clusters/test/api/v1/namespaces/team-a/pods";
  const configMaps = "/clusters/test/api/v1/namespaces/team-a/configmaps";

  before(async () => {
    stack = await startStack({ config: () => ({ ...STANDING_EDIT(), limits: { maxHeaderBytes: 8192 } }) });
    const session = await stack.login("dev");
    const standing = await stack.credential(session, { role: "view", namespace: "team-a" });
    token = standing.token;
  });
  after(() => stack?.close());

  const get = (path: string, bearer = token) =>
    fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${bearer}` } });

  it("closes the client's connection right after the answer when the client asked for it", async () => {
    // The cluster's hop is keep-alive; that must not keep the client's open until it idles out.
    const answer = await rawGet(stack.url, stack.caCert, pods, token);
    assert.equal(answer.status, 200);
    assert.notEqual(answer.headers.connection, "keep-alive", "the cluster hop's Connection is not relayed");
    assert.equal(answer.headers["keep-alive"], undefined, "the cluster hop's Keep-Alive is not relayed");
    assert.ok(answer.closedAfterMs < 1000, `closed ${Math.round(answer.closedAfterMs)} ms after the answer`);
  });

  it("keeps a client's keep-alive connection open for its next request", async () => {
    const host = new URL(stack.url).host;
    const twice =
      `GET ${pods} HTTP/1.1\r\nhost: ${host}\r\nauthorization: Bearer ${token}\r\n\r\n` +
      `GET ${pods} HTTP/1.1\r\nhost: ${host}\r\nauthorization: Bearer ${token}\r\nconnection: close\r\n\r\n`;
    const answer = await rawRequest(stack.url, stack.caCert, twice);
    assert.equal(answer.status, 200);
    assert.equal(
      answer.body.match(/HTTP\/1\.1 200/g)?.length,
      1,
      "the second answer came on the same connection",
    );
  });

  it("sends a safe request again when the cluster closed the reused connection under it", async () => {
    assert.equal((await get(pods)).status, 200, "a first request leaves an idle connection to reuse");
    stack.standIn.closeReusedConnections(1, /\/pods/);
    const res = await get(pods);
    assert.equal(res.status, 200, "the keep-alive race is not the client's problem");
    const records = await requestRecords(stack.redis, {});
    const last = records.filter((r) => r.path.endsWith("/pods")).at(-1);
    assert.equal(last?.status, "200");
  });

  it("does not send a request that changes something twice: 502, and nothing was made", async () => {
    const session = await stack.login("dev");
    const editor = await stack.credential(session, { role: "edit", namespace: "team-a" });
    assert.equal((await get(configMaps, editor.token)).status, 200);
    stack.standIn.closeReusedConnections(1, /\/configmaps/);
    const res = await fetch(`${stack.url}${configMaps}`, {
      method: "POST",
      headers: { authorization: `Bearer ${editor.token}`, "content-type": "application/json" },
      body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "once" } }),
    });
    assert.equal(res.status, 502);
    assert.equal(((await res.json()) as { kind: string }).kind, "Status");
    assert.equal(stack.standIn.store.find("configmaps", { namespace: "team-a", name: "once" }), undefined);
  });

  it("answers headers over the limit with a Status, not a bare 431", async () => {
    const host = new URL(stack.url).host;
    for (const request of [
      `GET ${pods} HTTP/1.1\r\nhost: ${host}\r\nx-padding: ${"a".repeat(10_000)}\r\n\r\n`,
      `GET ${pods}?${"q".repeat(10_000)} HTTP/1.1\r\nhost: ${host}\r\n\r\n`,
    ]) {
      const answer = await rawRequest(stack.url, stack.caCert, request);
      assert.equal(answer.status, 431);
      const status = JSON.parse(answer.body) as { kind: string; code: number; message: string };
      assert.equal(status.kind, "Status");
      assert.equal(status.code, 431);
      assert.match(status.message, /limits\.maxHeaderBytes/);
    }
  });
});
