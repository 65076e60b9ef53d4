import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import type { RequestHandler } from "express";
import { Registry } from "prom-client";
import request from "supertest";
import type { Alert } from "../../../src/alerts/alert-rule.ts";
import { createAlertResponder } from "../../../src/alerts/response/alert-responder-service.ts";
import { AccessService } from "../../../src/grants/access-service.ts";
import { createGrants, type Grants } from "../../../src/grants/index.ts";
import { createApp } from "../../../src/http/app.ts";
import type { ApiContext } from "../../../src/http/feature.ts";
import { setPrincipal } from "../../../src/http/principal.ts";
import { Forbidden } from "../../../src/shared/errors.ts";
import { silentLogger } from "../../../src/shared/logger.ts";
import type { Principal } from "../../../src/shared/principal.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { requestRecord } from "../../support/audit-fixtures.ts";
import { FakeClusterApi } from "../../support/fakes/fake-cluster-api.ts";
import { JumpClock } from "../../support/fakes/jump-clock.ts";
import { person } from "../../support/fakes/policy-config.ts";
import { RecordingLifecycle } from "../../support/fakes/recording-lifecycle.ts";
import { testConfig } from "../../support/fakes/test-config.ts";
import { grantsFeature } from "../../support/grants.ts";

const dev = person("dev@example.com", ["developers"], "sub-dev");
const other = person("other@example.com", ["developers"], "sub-other");
const admin = person("admin@example.com", ["admins"], "sub-admin");
const people = new Map([dev, other, admin].map((p) => [p.subject, p]));

/**
 * An alert rule's require-approval action against the grants feature as the server wires it
 * (real Redis, the cluster faked): standing access refused with a Status until an admin
 * lifts the suspension through /v1/suspensions; requested access untouched.
 */
describe("suspended standing access", () => {
  const config = testConfig({
    policies: {
      standing: [{ subjects: { groups: ["developers"] }, roles: ["view"], namespaces: ["team-*"] }],
      requests: [
        {
          subjects: { groups: ["developers"] },
          roles: ["edit"],
          namespaces: ["payments"],
          approvers: { groups: ["sre"] },
        },
      ],
    },
  });
  let redis: RedisHarness;
  let clock: JumpClock;
  let lifecycle: RecordingLifecycle;
  let grants: Grants;
  let app: ReturnType<typeof createApp>;

  const feature = () =>
    createGrants({
      config: { ...config, redis: { ...config.redis, keyPrefix: redis.keyPrefix } },
      clusters: new Map([["test", { config: config.clusters[0]!, api: new FakeClusterApi({ clock }) }]]),
      redis: redis.client(),
      replica: "r1",
      clock,
      lifecycle,
      history: { objectsCreatedBy: async () => [] },
      logger: silentLogger(),
      metrics: new Registry(),
    });

  before(async () => {
    redis = await startRedis();
  });
  after(() => redis.close());
  beforeEach(async () => {
    await redis.clear();
    clock = new JumpClock();
    lifecycle = new RecordingLifecycle();
    grants = feature();
    // The session check's stand-in: the caller is whoever x-test-subject names.
    const requireSession: RequestHandler = (req, res, next) => {
      const principal = people.get(String(req.headers["x-test-subject"]));
      if (principal) setPrincipal(res, principal);
      next();
    };
    const api: ApiContext = {
      requireSession,
      isAdmin: (p) => p.groups.includes("admins"),
      rateLimit: () => (_req, _res, next) => next(),
    };
    app = createApp({
      logger: silentLogger(),
      metrics: new Registry(),
      readiness: [],
      trustProxy: false,
      maxBodyBytes: 64 * 1024,
      api: grants.routes(api),
    });
  });

  const credential = (as: Principal, body: Record<string, unknown>) =>
    request(app)
      .post("/v1/credentials")
      .set("x-test-subject", as.subject)
      .send({ cluster: "test", ...body });
  const list = (as: Principal) => request(app).get("/v1/suspensions").set("x-test-subject", as.subject);
  const lift = (as: Principal, path = "test/dev@example.com") =>
    request(app).delete(`/v1/suspensions/${path}`).set("x-test-subject", as.subject);
  const responder = () =>
    createAlertResponder({
      grants,
      sessions: { revokeAllOf: async () => 0 },
      standing: grants,
      lifecycle,
      clock,
      logger: silentLogger(),
    });
  const alertOn = (grant: string): Alert & { action: NonNullable<Alert["action"]> } => {
    const record = requestRecord({
      user: dev.name,
      cluster: "test",
      grant,
      verb: "get",
      resource: "secrets",
      namespace: "team-a",
      name: "",
    });
    return {
      id: "alert-1",
      rule: "secrets-in-prod",
      severity: "critical",
      description: "Secrets read in production",
      at: record.ts,
      record,
      action: { kind: "require-approval", dryRun: false },
    };
  };

  function assertStatus(res: request.Response, code: number, reason: string, message: RegExp): void {
    assert.equal(res.status, code, JSON.stringify(res.body));
    assert.equal(res.body.kind, "Status");
    assert.equal(res.body.code, code);
    assert.equal(res.body.reason, reason);
    assert.match(res.body.message, message);
  }

  it("refuses standing credentials with a Status, ends standing grants, keeps requested access, and lifting restores it", async () => {
    const standing = await credential(dev, { role: "view", namespace: "team-a" });
    assert.equal(standing.status, 200);
    const requested = await grants.create({
      principal: dev,
      cluster: "test",
      role: "edit",
      namespaces: ["payments"],
      ttlSeconds: 1800,
      origin: "request",
      reason: "INC-1",
    });

    const response = await responder().respond(alertOn(standing.body.grant.id));
    assert.equal(response.outcome, "done");
    assert.match(response.detail, new RegExp(`ending standing grant ${standing.body.grant.id}$`));
    const ended = await grants.findById(standing.body.grant.id);
    assert.equal(ended?.state, "ended");
    assert.match(ended?.endDetail ?? "", /^revoked by alert rule secrets-in-prod/);
    assert.equal((await grants.findById(requested.id))?.state, "active", "requested access stays");

    const refused = await credential(dev, { role: "view", namespace: "team-a" });
    assertStatus(
      refused,
      403,
      "Forbidden",
      /^your standing access to cluster "test" was suspended by alert rule secrets-in-prod at \d{4}-\d\d-\d\dT[\d:.]+Z \(Secrets read in production: get secrets team-a\); ask for the access you need with kubectl broker request --cluster test, or ask an admin to lift the suspension \(kubectl broker suspensions lift dev@example\.com --cluster test\)$/,
    );
    assertStatus(await credential(dev, { role: "view" }), 403, "Forbidden", /suspended/);
    const open = (await grants.listOpen()).filter((g) => g.origin === "standing");
    assert.deepEqual(open, [], "no standing grant was made");
    const viaRequest = await credential(dev, { role: "edit", namespace: "payments" });
    assert.equal(viaRequest.status, 200, "requested access still works");
    assert.equal(viaRequest.body.grant.id, requested.id);
    assert.equal(
      (await credential(other, { role: "view", namespace: "team-a" })).status,
      200,
      "others unaffected",
    );

    const again = await responder().respond(alertOn(standing.body.grant.id));
    assert.equal(again.outcome, "nothing-to-do", again.detail);

    const lifted = await lift(admin);
    assert.equal(lifted.status, 200, JSON.stringify(lifted.body));
    assert.equal(lifted.body.by, "alert rule secrets-in-prod");
    const [event] = lifecycle.named("suspension.lifted");
    assert.equal(event?.user, "dev@example.com");
    assert.equal(event?.cluster, "test");
    assert.match(
      event?.detail ?? "",
      /^lifted by admin@example\.com; suspended by alert rule secrets-in-prod at /,
    );
    const restored = await credential(dev, { role: "view", namespace: "team-a" });
    assert.equal(restored.status, 200, "standing access works again");
    assert.notEqual(restored.body.grant.id, standing.body.grant.id);
    assertStatus(await lift(admin), 404, "NotFound", /dev@example\.com has no suspended standing access/);
  });

  it("every replica sees it: the suspension is in Redis", async () => {
    await responder().respond(alertOn(""));
    const suspension = await feature().findSuspension("test", dev.name);
    assert.equal(suspension?.by, "alert rule secrets-in-prod");
    assert.equal(suspension?.alert, "alert-1");
  });

  it("lists all to an admin, their own to a person, and lets only admins lift", async () => {
    await responder().respond(alertOn(""));
    const mine = await list(dev);
    assert.equal(mine.status, 200);
    assert.deepEqual(
      mine.body.items.map((s: { user: string; cluster: string; by: string }) => [s.user, s.cluster, s.by]),
      [["dev@example.com", "test", "alert rule secrets-in-prod"]],
    );
    assert.match(mine.body.items[0].at, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual((await list(other)).body.items, []);
    assert.equal((await list(admin)).body.items.length, 1);

    assertStatus(await lift(dev), 403, "Forbidden", /only admins can lift/);
    assertStatus(await lift(other), 403, "Forbidden", /only admins can lift/);
    assert.ok(await grants.findSuspension("test", dev.name), "a refused lift changes nothing");
  });

  it("bad input changes nothing", async () => {
    await responder().respond(alertOn(""));
    assertStatus(
      await lift(admin, "Not_A_Cluster/dev@example.com"),
      422,
      "Invalid",
      /cluster: must be a cluster name/,
    );
    assertStatus(await lift(admin, `test/${"x".repeat(300)}`), 422, "Invalid", /user/);
    assertStatus(await lift(admin, "test/nobody@example.com"), 404, "NotFound", /nobody@example\.com has no/);
    assertStatus(await lift(admin, "other/dev@example.com"), 404, "NotFound", /cluster "other"/);
    assert.equal((await lift(admin, "test")).status, 404);
    assert.ok(await grants.findSuspension("test", dev.name), "still suspended");
    assert.deepEqual(lifecycle.named("suspension.lifted"), []);
  });

  it("a suspension that lands while a standing grant is being made ends that grant", async () => {
    const parts = grantsFeature(config, redis, { api: new FakeClusterApi({ clock }), clock, lifecycle });
    let checks = 0;
    const access = new AccessService({
      config,
      grants: parts.grants,
      store: parts.store,
      issuer: parts.issuer,
      // Not suspended when asked first; suspended by the time the grant exists.
      suspensions: {
        refuseIfSuspended: async () => {
          if (checks++ > 0) throw new Forbidden("suspended meanwhile");
        },
      },
      clock,
    });
    await assert.rejects(
      access.credential(dev, { cluster: "test", role: "view", namespaces: ["team-a"] }),
      /suspended meanwhile/,
    );
    const made = await parts.store.listByPrincipal(dev.subject);
    assert.equal(made.length, 1);
    assert.equal(made[0]?.state, "ended");
    assert.match(made[0]?.endDetail ?? "", /suspended while it was being made/);
  });
});
