import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { beforeEach, describe, it } from "node:test";
import type { RequestHandler } from "express";
import pino from "pino";
import { Registry } from "prom-client";
import request from "supertest";
import type { AccessService } from "../../../src/grants/access-service.ts";
import type { Grant } from "../../../src/grants/grant.ts";
import { grantRoutes } from "../../../src/grants/grant-routes.ts";
import type { GrantService } from "../../../src/grants/grant-service.ts";
import { grantView } from "../../../src/grants/grant-view.ts";
import { createApp } from "../../../src/http/app.ts";
import { setPrincipal } from "../../../src/http/principal.ts";
import { NotFound } from "../../../src/shared/errors.ts";
import type { Principal } from "../../../src/shared/principal.ts";
import { grantFixture } from "../../support/fakes/grant-fixture.ts";

const dev: Principal = { kind: "user", subject: "sub-dev", name: "dev@example.com", groups: ["devs"] };
const other: Principal = { kind: "user", subject: "sub-other", name: "other@example.com", groups: ["devs"] };
const admin: Principal = {
  kind: "user",
  subject: "sub-admin",
  name: "admin@example.com",
  groups: ["admins"],
};
const people = new Map([dev, other, admin].map((p) => [p.subject, p]));

function grantOf(id: string, principal: Principal): Grant {
  return grantFixture(id, {
    principal,
    serviceAccount: { namespace: "kube-broker-grants", name: `kb-x-${id}` },
  });
}

/** ioredis's errors while Redis is away (see isConnectionError in src/shared/redis.ts). */
const connectionErrors: [what: string, make: () => Error][] = [
  ["the connection is closed", () => Object.assign(new Error("Connection is closed."), {})],
  [
    "the connection is refused",
    () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), { code: "ECONNREFUSED" }),
  ],
  [
    "the retries ran out",
    () =>
      Object.assign(new Error("Reached the max retries per request limit (which is 1)."), {
        name: "MaxRetriesPerRequestError",
      }),
  ],
];

const SECRET_DETAIL = "WRONGTYPE at key kb:{grants}:grant:g1 on 10.0.0.7:6379 password=hunter2";

describe("grants API routes: GET and DELETE /v1/grants/:id", () => {
  let stored: Map<string, Grant>;
  let failWith: Error | undefined;
  let getCalls: string[];
  let revokeCalls: [id: string, by: string][];
  let logLines: string[];
  let app: ReturnType<typeof createApp>;

  beforeEach(() => {
    stored = new Map([
      ["g-dev", grantOf("g-dev", dev)],
      ["g-other", grantOf("g-other", other)],
    ]);
    failWith = undefined;
    getCalls = [];
    revokeCalls = [];
    logLines = [];

    // As GrantService.get: NotFound for a missing grant, a store failure passed on as it is.
    const grants = {
      async get(id: string): Promise<Grant> {
        getCalls.push(id);
        if (failWith) throw failWith;
        const grant = stored.get(id);
        if (!grant) throw new NotFound(`grant "${id}" not found`);
        return grant;
      },
      async revoke(id: string, by: string): Promise<Grant> {
        revokeCalls.push([id, by]);
        const grant = stored.get(id)!;
        return { ...grant, state: "ended", endReason: "revoked", endedAt: grant.createdAt + 1000 };
      },
    } as unknown as GrantService;
    const access = {} as unknown as AccessService;

    // The session middleware's stand-in: the caller is whoever x-test-subject names.
    const requireSession: RequestHandler = (req, res, next) => {
      const principal = people.get(String(req.headers["x-test-subject"]));
      if (principal) setPrincipal(res, principal);
      next();
    };
    const passThrough: RequestHandler = (_req, _res, next) => next();
    const logger = pino(
      { level: "error" },
      new Writable({
        write(chunk, _encoding, done) {
          logLines.push(String(chunk));
          done();
        },
      }),
    );
    app = createApp({
      logger,
      metrics: new Registry(),
      readiness: [],
      trustProxy: false,
      maxBodyBytes: 64 * 1024,
      api: [
        grantRoutes({
          access,
          grants,
          history: { objectsCreatedBy: async () => [] },
          requireSession,
          tokenLimit: passThrough,
          isAdmin: (p) => p.groups.includes("admins"),
        }),
      ],
    });
  });

  const call = (method: "get" | "delete", id: string, as: Principal) =>
    request(app)[method](`/v1/grants/${id}`).set("x-test-subject", as.subject);

  function assertStatus(
    res: request.Response,
    code: number,
    reason: string,
    message: RegExp,
  ): Record<string, unknown> {
    assert.equal(res.status, code, JSON.stringify(res.body));
    assert.match(res.headers["content-type"] ?? "", /application\/json/);
    assert.equal(res.body.kind, "Status");
    assert.equal(res.body.apiVersion, "v1");
    assert.equal(res.body.status, "Failure");
    assert.equal(res.body.code, code);
    assert.equal(res.body.reason, reason);
    assert.match(res.body.message, message);
    return res.body;
  }

  for (const method of ["get", "delete"] as const) {
    const verb = method.toUpperCase();

    describe(`${verb} /v1/grants/:id`, () => {
      it("of a missing grant is a 404 Status", async () => {
        const res = await call(method, "g-missing", dev);
        assertStatus(res, 404, "NotFound", /grant "g-missing" not found/);
        assert.deepEqual(getCalls, ["g-missing"]);
        assert.deepEqual(revokeCalls, []);
      });

      it("of someone else's grant, for a non-admin, is the same 404 as a missing one", async () => {
        const missing = (await call(method, "g-nope", dev)).body;
        const res = await call(method, "g-other", dev);
        const body = assertStatus(res, 404, "NotFound", /grant "g-other" not found/);
        // Nothing tells "exists but not yours" from "does not exist" but the id echoed back.
        assert.deepEqual(
          { ...body, message: String(body.message).replace("g-other", "ID") },
          { ...missing, message: String(missing.message).replace("g-nope", "ID") },
        );
        assert.doesNotMatch(JSON.stringify(res.body), /other@example\.com|sub-other|kb-x-/);
        assert.deepEqual(revokeCalls, [], "nothing was revoked");
      });

      for (const [what, make] of connectionErrors) {
        it(`is 503 ServiceUnavailable, not 404, when ${what} (Redis unreachable)`, async () => {
          failWith = make();
          const res = await call(method, "g-dev", dev);
          assertStatus(res, 503, "ServiceUnavailable", /try again/);
          assert.doesNotMatch(res.body.message, /not found/);
          assert.deepEqual(revokeCalls, []);
          assert.equal(logLines.length, 1, "a 5xx is logged");
        });
      }

      it("is an opaque 500 for an unexpected error, nothing of its message leaked", async () => {
        failWith = new Error(SECRET_DETAIL);
        const res = await call(method, "g-dev", dev);
        const body = assertStatus(res, 500, "InternalError", /^internal error$/);
        assert.equal(body.details, undefined);
        for (const fragment of ["WRONGTYPE", "kb:{grants}", "10.0.0.7", "hunter2"]) {
          assert.ok(!res.text.includes(fragment), `the answer leaks ${fragment}: ${res.text}`);
        }
        assert.deepEqual(revokeCalls, []);
        assert.equal(logLines.length, 1);
        assert.match(logLines[0]!, /WRONGTYPE/, "the detail is kept in the log");
      });

      it("of one's own grant succeeds", async () => {
        const res = await call(method, "g-dev", dev);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.id, "g-dev");
        assert.equal(res.body.user, dev.name);
        if (method === "get") assert.deepEqual(res.body, grantView(stored.get("g-dev")!));
        else {
          assert.equal(res.body.state, "ended");
          assert.deepEqual(revokeCalls, [["g-dev", dev.name]]);
        }
      });

      it("of someone else's grant succeeds for an admin", async () => {
        const res = await call(method, "g-other", admin);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.user, other.name);
        if (method === "delete") assert.deepEqual(revokeCalls, [["g-other", admin.name]]);
      });

      it("without a session is 401, and nothing is looked up", async () => {
        const res = await request(app)[method]("/v1/grants/g-dev");
        assertStatus(res, 401, "Unauthorized", /sign in first/);
        assert.deepEqual(getCalls, []);
      });
    });
  }
});
