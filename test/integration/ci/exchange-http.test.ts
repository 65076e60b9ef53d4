import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import type { RequestHandler } from "express";
import { parse } from "yaml";
import { TooManyRequests, Unavailable } from "../../../src/shared/errors.ts";
import { expectGranted, expectStatus, GITHUB_AUDIENCE, useCiFixture } from "./fixture.ts";

const CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";

describe("POST /v1/ci/exchange over HTTP", () => {
  // The CA file is read at each exchange, so it need only exist by the first test.
  const dir = mkdtempSync(join(tmpdir(), "kb-ci-"));
  const caFile = join(dir, "ca.pem");
  let limited = false;
  const rateLimit: RequestHandler = (_req, _res, next) =>
    next(limited ? new TooManyRequests("too many CI exchanges from this client", 7) : undefined);
  const f = useCiFixture({ rateLimit, server: { publicUrl: "https://broker.example.com/", caFile } });

  before(() => writeFile(caFile, CA_PEM));
  after(() => rm(dir, { recursive: true, force: true }));
  beforeEach(() => {
    limited = false;
    f().clusterApi.failWith = () => undefined;
  });

  const mint = () => f().github.github({ repository: "acme/web" }, { audience: GITHUB_AUDIENCE });

  it("answers with a ready kubeconfig for the gateway, its CA and the token", async () => {
    const res = await f().exchange({ token: await mint() });
    assert.equal(res.headers.get("cache-control"), "no-store");
    const body = await expectGranted(res);
    assert.ok(Date.parse(body.expirationTimestamp) <= Date.parse(body.grant.expiresAt));
    const kubeconfig = parse(body.kubeconfig);
    assert.deepEqual(kubeconfig, {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: "test",
          cluster: {
            server: "https://broker.example.com/clusters/test",
            "certificate-authority-data": Buffer.from(CA_PEM).toString("base64"),
          },
        },
      ],
      users: [{ name: "kube-broker-ci-test", user: { token: body.token } }],
      contexts: [
        { name: "test", context: { cluster: "test", user: "kube-broker-ci-test", namespace: "web" } },
      ],
      "current-context": "test",
      preferences: {},
    });
  });

  const badBodies: [string, string, number, RegExp, string?][] = [
    ["a body that is not JSON", "{token:", 400, /not valid JSON/],
    ["a JSON array", "[]", 400, /send a JSON object/],
    ["no token", "{}", 422, /^token: required/, "token"],
    ["a token that is not a string", '{"token": 123456789}', 422, /^token: required/, "token"],
    [
      "an oversized token",
      JSON.stringify({ token: "x".repeat(20_000) }),
      422,
      /^token: longer than/,
      "token",
    ],
    [
      "a cluster that is no name",
      '{"token": "a.b.c", "cluster": "Prod!"}',
      422,
      /^cluster: must be/,
      "cluster",
    ],
    [
      "a ttl that is no duration",
      '{"token": "a.b.c", "ttl": "forever"}',
      422,
      /^ttl: must be a duration/,
      "ttl",
    ],
    [
      "a ttl under a minute",
      '{"token": "a.b.c", "ttl": "30s"}',
      422,
      /^ttl: must be a duration of at least 1m/,
      "ttl",
    ],
    ["a misspelt field", '{"token": "a.b.c", "tll": "5m"}', 422, /Unrecognized key: "tll"/],
  ];
  for (const [what, body, code, message, field] of badBodies) {
    it(`refuses ${what} with ${code}, naming the field and echoing nothing`, async () => {
      const status = await expectStatus(await f().exchange(body), code);
      assert.match(status.message, message);
      assert.ok(!status.message.includes("123456789") && !status.message.includes("xxxx"));
      if (field) assert.equal(status.details?.causes?.[0]?.field, field);
      await f().assertNothingCreated();
    });
  }

  it("refuses a body sent without a JSON content type", async () => {
    const res = await fetch(`${f().url}/v1/ci/exchange`, { method: "POST", body: "token=abc" });
    assert.match((await expectStatus(res, 400)).message, /send a JSON object/);
  });

  it("runs the rate limiter before looking at the token", async () => {
    limited = true;
    const token = await mint();
    const res = await f().exchange({ token });
    assert.equal(res.headers.get("retry-after"), "7");
    await expectStatus(res, 429, token);
    await f().assertNothingCreated();
    assert.equal(f().github.jwksFetches, 1, "the JWKS fetched for the first test only");
  });

  it("ends the grant and keeps the token usable when the credential cannot be minted", async () => {
    f().clusterApi.failWith = (op) =>
      op === "requestToken" ? new Unavailable("the cluster is not answering") : undefined;
    const token = await mint();
    await expectStatus(await f().exchange({ token }), 503, token);
    const [ended] = await f().grants.listAll({ includeEnded: true });
    assert.equal(ended?.state, "ended");
    assert.equal(ended?.endReason, "provision-failed");
    assert.equal(f().clusterApi.objects.size, 0, "the grant's objects were deleted");

    f().clusterApi.failWith = () => undefined;
    await expectGranted(await f().exchange({ token }));
  });
});
