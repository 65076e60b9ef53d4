import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateKeyPair, SignJWT } from "jose";
import { requestRecords } from "../../support/audit-log.ts";
import { rawGet } from "../../support/raw-http.ts";
import { type Stack, startStack } from "../../support/stack.ts";

/** What the gateway refuses before anything reaches the cluster, each refusal audited. */
describe("gateway refusals", () => {
  let stack: Stack;
  let token: string;
  let grantSa: string;

  before(async () => {
    stack = await startStack();
    const session = await stack.login("dev");
    const credential = await stack.credential(session, { role: "view", namespace: "team-a" });
    token = credential.token;
    grantSa = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString())["kubernetes.io"]
      .serviceaccount.name;
  });
  after(() => stack?.close());

  const call = (path: string, bearer: string | undefined, headers: Record<string, string> = {}) =>
    fetch(`${stack.url}/clusters/test${path}`, {
      headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...headers },
    });

  async function refused(res: Response, code: number, message: RegExp, path: string): Promise<void> {
    assert.equal(res.status, code);
    const status = (await res.json()) as { kind: string; code: number; message: string };
    assert.equal(status.kind, "Status");
    assert.equal(status.code, code);
    assert.match(status.message, message);
    const deadline = Date.now() + 2000;
    let records = await requestRecords(stack.redis, { status: String(code) });
    while (!records.some((r) => r.path.includes(path)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      records = await requestRecords(stack.redis, { status: String(code) });
    }
    const record = records.find((r) => r.path.includes(path));
    assert.ok(record, `an audit record for ${path}`);
    assert.equal(record.decision, "denied-by-broker");
    // The broker's own calls as the cluster's admin (its RBAC scan lists Secrets) are not the
    // refused request; anything that request sent would arrive as some other identity.
    const reached = stack.standIn.requests.filter(
      (r) => r.path.includes(path) && r.user !== "kubernetes-admin",
    );
    assert.equal(reached.length, 0, "nothing reached the cluster");
  }

  it("impersonation headers → 403", async () => {
    const res = await call("/api/v1/namespaces/team-a/configmaps", token, {
      "Impersonate-User": "system:admin",
    });
    await refused(res, 403, /Impersonate/, "/configmaps");
  });

  it("a token of a ServiceAccount kube-broker does not manage → 401", async () => {
    stack.standIn.store.create({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "sneaky", namespace: "team-a" },
    });
    const foreign = await stack.standIn.issueToken("team-a", "sneaky", { audiences: ["kube-broker:test"] });
    await refused(
      await call("/api/v1/namespaces/team-a/secrets", foreign),
      401,
      /not managed by kube-broker/,
      "/secrets",
    );
    stack.standIn.store.create({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "kb-fake-abc", namespace: "kube-broker-grants" },
    });
    const lookalike = await stack.standIn.issueToken("kube-broker-grants", "kb-fake-abc", {
      audiences: ["kube-broker:test"],
    });
    await refused(
      await call("/api/v1/namespaces/team-b/secrets", lookalike),
      401,
      /not managed by kube-broker/,
      "team-b/secrets",
    );
  });

  it("an API-audience token of the grant's own ServiceAccount in gateway mode → 401", async () => {
    const apiToken = await stack.standIn.issueToken("kube-broker-grants", grantSa);
    await refused(
      await call("/api/v1/namespaces/team-a/persistentvolumeclaims", apiToken),
      401,
      /audience/,
      "/persistentvolumeclaims",
    );
  });

  it("a forged JWT → 401", async () => {
    const [header, payload] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 86400 })).toString("base64url")}.${token.split(".")[2]}`;
    await refused(
      await call("/api/v1/namespaces/team-a/endpoints", tampered),
      401,
      /signature/,
      "/endpoints",
    );
    const { privateKey } = await generateKeyPair("RS256");
    const selfSigned = await new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: JSON.parse(Buffer.from(header!, "base64url").toString()).kid })
      .sign(privateKey);
    await refused(await call("/api/v1/namespaces/team-a/events", selfSigned), 401, /signature/, "/events");
    await refused(
      await call("/api/v1/namespaces/team-a/limitranges", "not-a-jwt"),
      401,
      /not a JWT/,
      "/limitranges",
    );
    await refused(
      await call("/api/v1/namespaces/team-a/resourcequotas", undefined),
      401,
      /no bearer token/,
      "/resourcequotas",
    );
  });

  it("an encoded .. path → 400", async () => {
    for (const path of [
      "/api/v1/namespaces/team-a/pods/%2e%2e/secrets",
      "/api/v1/namespaces/team-a%2Fsecrets",
    ]) {
      const res = await rawGet(stack.url, stack.caCert, `/clusters/test${path}`, token);
      assert.equal(res.status, 400, path);
      assert.match(res.body, /"kind":"Status"/);
    }
    const records = await requestRecords(stack.redis, { status: "400" });
    assert.equal(records.length, 2);
    for (const record of records) assert.equal(record.decision, "denied-by-broker");
  });

  it("an unknown cluster → 404", async () => {
    const res = await fetch(`${stack.url}/clusters/nowhere/api`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { reason: string }).reason, "NotFound");
  });
});
