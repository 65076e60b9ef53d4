import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Registry } from "prom-client";
import request from "supertest";
import packageJson from "../../../package.json" with { type: "json" };
import { createApp } from "../../../src/http/app.ts";
import { silentLogger } from "../../../src/shared/logger.ts";

describe("the unauthenticated endpoints", () => {
  const app = createApp({
    logger: silentLogger(),
    metrics: new Registry(),
    readiness: [],
    trustProxy: false,
    maxBodyBytes: 1024,
    api: [],
  });

  it("GET /version: name, version and Node.js, nothing secret, no session needed", async () => {
    const res = await request(app).get("/version").expect(200);
    assert.match(res.headers["content-type"] ?? "", /^application\/json/);
    assert.equal(res.headers["cache-control"], "no-store");
    const { gitCommit, ...rest } = res.body as Record<string, unknown>;
    assert.deepEqual(rest, { name: "kube-broker", version: packageJson.version, node: process.version });
    assert.ok(gitCommit === undefined || /^[0-9a-f]{40}$/.test(String(gitCommit)));
  });

  it("GET /healthz still answers ok", async () => {
    assert.equal((await request(app).get("/healthz").expect(200)).text, "ok");
  });
});
