import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import type { Alert } from "../../../src/alerts/alert-rule.ts";
import {
  type AlertResponderDeps,
  createAlertResponder,
  type GrantRevoker,
  type SessionEnder,
  type StandingSuspender,
} from "../../../src/alerts/response/alert-responder-service.ts";
import type { AuditRecord } from "../../../src/audit/record.ts";
import type { Grant, Grants } from "../../../src/grants/index.ts";
import type { Identity } from "../../../src/identity/index.ts";
import { silentLogger } from "../../../src/shared/logger.ts";
import type { Principal } from "../../../src/shared/principal.ts";
import { lifecycleRecord, requestRecord } from "../../support/audit-fixtures.ts";
import { grantFixture } from "../../support/fakes/grant-fixture.ts";
import { ManualClock } from "../../support/fakes/manual-clock.ts";
import { RecordingLifecycle } from "../../support/fakes/recording-lifecycle.ts";

// The composition root passes the features' objects: they must fit by shape.
const fits: [GrantRevoker, SessionEnder, StandingSuspender][] = [];
void ((grants: Grants, identity: Identity) => fits.push([grants, identity, grants]));

/** The grants feature as the responder sees it: grants by id, revoke, suspensions. */
class FakeGrants implements GrantRevoker, StandingSuspender {
  readonly grants = new Map<string, Grant>();
  readonly suspensions = new Map<string, { by: string; at: number; reason: string; subject?: string }>();
  revokes = 0;

  async findById(id: string) {
    return this.grants.get(id);
  }
  async revoke(id: string, by: string) {
    const grant = this.grants.get(id)!;
    if (grant.state === "ended") return grant;
    this.revokes++;
    const ended: Grant = { ...grant, state: "ended", endReason: "revoked", endDetail: `revoked by ${by}` };
    this.grants.set(id, ended);
    return ended;
  }
  async findSuspension(cluster: string, user: string) {
    return this.suspensions.get(`${cluster}/${user}`);
  }
  async standingGrantsOf(cluster: string, user: string) {
    return [...this.grants.values()].filter(
      (g) =>
        g.cluster === cluster && g.principal.name === user && g.origin === "standing" && g.state === "active",
    );
  }
  async suspendStanding(s: Parameters<StandingSuspender["suspendStanding"]>[0]) {
    const key = `${s.cluster}/${s.user}`;
    const created = !this.suspensions.has(key);
    if (created) this.suspensions.set(key, s);
    const ended = [];
    for (const grant of await this.standingGrantsOf(s.cluster, s.user))
      ended.push(await this.revoke(grant.id, s.by));
    return { created, ended };
  }
}

class FakeSessions implements SessionEnder {
  readonly live = new Map<string, number>();
  readonly calls: [subject: string, by: Principal][] = [];
  async revokeAllOf(subject: string, by: Principal) {
    this.calls.push([subject, by]);
    const count = this.live.get(subject) ?? 0;
    this.live.delete(subject);
    return count;
  }
}

const dev = { kind: "user" as const, subject: "sub-dev", name: "dev@example.com", groups: ["developers"] };

function alertOn(
  record: AuditRecord,
  kind: NonNullable<Alert["action"]>["kind"],
  dryRun = false,
): Alert & { action: NonNullable<Alert["action"]> } {
  return {
    id: "alert-1",
    rule: "exec-in-prod",
    severity: "critical",
    description: "a shell in production",
    at: record.ts,
    record,
    action: { kind, dryRun },
  };
}

describe("alert responder", () => {
  let grants: FakeGrants;
  let sessions: FakeSessions;
  let lifecycle: RecordingLifecycle;
  let clock: ManualClock;
  let deps: AlertResponderDeps;
  const exec = (grant = "g-1") =>
    requestRecord({
      user: "dev@example.com",
      cluster: "test",
      grant,
      verb: "create",
      resource: "pods",
      subresource: "exec",
      namespace: "team-a",
      name: "api-1",
    });

  beforeEach(() => {
    grants = new FakeGrants();
    grants.grants.set("g-1", grantFixture("g-1", { principal: dev }));
    sessions = new FakeSessions();
    lifecycle = new RecordingLifecycle();
    clock = new ManualClock();
    deps = { grants, sessions, standing: grants, lifecycle, clock, logger: silentLogger() };
  });

  describe("revoke-grant", () => {
    it("revokes the record's grant with the rule as the actor, and records it", async () => {
      const response = await createAlertResponder(deps).respond(alertOn(exec(), "revoke-grant"));
      assert.deepEqual(response, {
        action: "revoke-grant",
        dryRun: false,
        outcome: "done",
        detail: "revoked grant g-1 of dev@example.com on test",
      });
      assert.equal(grants.grants.get("g-1")?.endDetail, "revoked by alert rule exec-in-prod");
      assert.deepEqual(lifecycle.named("alert.action"), [
        {
          event: "alert.action",
          user: "dev@example.com",
          cluster: "test",
          grant: "g-1",
          detail: "alert rule exec-in-prod: revoked grant g-1 of dev@example.com on test (dry run: no)",
        },
      ]);
    });

    it("a second call for the same alert finds nothing to do and revokes nothing again", async () => {
      const responder = createAlertResponder(deps);
      await responder.respond(alertOn(exec(), "revoke-grant"));
      const again = await responder.respond(alertOn(exec(), "revoke-grant"));
      assert.equal(again.outcome, "nothing-to-do");
      assert.equal(again.detail, "grant g-1 of dev@example.com on test had already ended");
      assert.equal(grants.revokes, 1);
      assert.equal(lifecycle.named("alert.action").length, 2, "each response is recorded");
    });

    it("a grant someone else ended between the look and the revoke is nothing to do", async () => {
      const racing: GrantRevoker = {
        findById: (id) => grants.findById(id),
        revoke: (id) => grants.revoke(id, "alice@example.com"),
      };
      const response = await createAlertResponder({ ...deps, grants: racing }).respond(
        alertOn(exec(), "revoke-grant"),
      );
      assert.equal(response.outcome, "nothing-to-do");
    });

    it("a record without a grant, or with one that is gone, is nothing to do", async () => {
      const responder = createAlertResponder(deps);
      const none = await responder.respond(alertOn(exec(""), "revoke-grant"));
      assert.deepEqual([none.outcome, none.detail], ["nothing-to-do", "the record names no grant"]);
      const gone = await responder.respond(alertOn(exec("g-9"), "revoke-grant"));
      assert.deepEqual([gone.outcome, gone.detail], ["nothing-to-do", "grant g-9 is gone"]);
      assert.equal(grants.revokes, 0);
    });

    it("in a dry run says what it would do and does nothing", async () => {
      const response = await createAlertResponder(deps).respond(alertOn(exec(), "revoke-grant", true));
      assert.deepEqual(
        [response.outcome, response.detail, response.dryRun],
        ["would", "would revoke grant g-1 of dev@example.com on test", true],
      );
      assert.equal(grants.grants.get("g-1")?.state, "active");
      assert.match(lifecycle.events[0]?.detail ?? "", /: would revoke grant g-1 .* \(dry run: yes\)$/);
    });
  });

  describe("end-session", () => {
    it("ends the sessions of the grant's holder, by subject, with the rule as the actor; grants stay", async () => {
      sessions.live.set("sub-dev", 2);
      const response = await createAlertResponder(deps).respond(alertOn(exec(), "end-session"));
      assert.deepEqual(
        [response.outcome, response.detail],
        ["done", "ended 2 broker session(s) of dev@example.com"],
      );
      assert.equal(sessions.calls[0]?.[0], "sub-dev");
      assert.equal(sessions.calls[0]?.[1].name, "alert rule exec-in-prod");
      assert.equal(grants.grants.get("g-1")?.state, "active", "the grant stays");
      assert.equal(lifecycle.events[0]?.user, "dev@example.com");
    });

    it("again: nothing to do; in a dry run: would, and no session ends", async () => {
      sessions.live.set("sub-dev", 1);
      const responder = createAlertResponder(deps);
      const dry = await responder.respond(alertOn(exec(), "end-session", true));
      assert.deepEqual(
        [dry.outcome, dry.detail],
        ["would", "would end the broker sessions of dev@example.com"],
      );
      assert.equal(sessions.calls.length, 0);
      assert.equal((await responder.respond(alertOn(exec(), "end-session"))).outcome, "done");
      assert.equal((await responder.respond(alertOn(exec(), "end-session"))).outcome, "nothing-to-do");
    });

    it("without a grant to name the person, or for a CI job, is nothing to do", async () => {
      grants.grants.set("g-ci", grantFixture("g-ci", { principal: { ...dev, kind: "ci", name: "repo:x" } }));
      const responder = createAlertResponder(deps);
      const login = lifecycleRecord({ event: "login", user: "dev@example.com", grant: "" });
      const none = await responder.respond(alertOn(login, "end-session"));
      assert.equal(none.outcome, "nothing-to-do");
      assert.match(none.detail, /cannot tell whose sessions to end: the record names no grant/);
      assert.equal((await responder.respond(alertOn(exec("g-ci"), "end-session"))).outcome, "nothing-to-do");
      assert.equal(sessions.calls.length, 0);
    });
  });

  describe("require-approval", () => {
    it("suspends the person's standing access to the record's cluster and ends their standing grants there", async () => {
      grants.grants.set("g-2", grantFixture("g-2", { principal: dev, origin: "request" }));
      grants.grants.set("g-3", grantFixture("g-3", { principal: dev, cluster: "other" }));
      const response = await createAlertResponder(deps).respond(alertOn(exec(), "require-approval"));
      assert.deepEqual(
        [response.outcome, response.detail],
        ["done", "suspended standing access of dev@example.com to test, ending standing grant g-1"],
      );
      assert.deepEqual(grants.suspensions.get("test/dev@example.com"), {
        cluster: "test",
        user: "dev@example.com",
        subject: "sub-dev",
        by: "alert rule exec-in-prod",
        reason: "a shell in production: create pods/exec team-a/api-1",
        at: clock.now(),
        alert: "alert-1",
      });
      assert.equal(grants.grants.get("g-2")?.state, "active", "requested access stays");
      assert.equal(grants.grants.get("g-3")?.state, "active", "other clusters stay");
    });

    it("again: nothing to do, saying since when", async () => {
      const responder = createAlertResponder(deps);
      await responder.respond(alertOn(exec(), "require-approval"));
      const again = await responder.respond(alertOn(exec(), "require-approval"));
      assert.equal(again.outcome, "nothing-to-do");
      assert.equal(
        again.detail,
        "standing access of dev@example.com to test was already suspended by alert rule exec-in-prod at 2026-01-01T00:00:00.000Z",
      );
    });

    it("works from the record's user when it names no grant", async () => {
      const record = lifecycleRecord({
        event: "request.approved",
        user: "dev@example.com",
        cluster: "test",
        grant: "",
      });
      const response = await createAlertResponder(deps).respond(alertOn(record, "require-approval"));
      assert.equal(response.outcome, "done");
      assert.equal(grants.suspensions.get("test/dev@example.com")?.subject, undefined);
    });

    it("in a dry run says what it would suspend and end, and does nothing", async () => {
      const response = await createAlertResponder(deps).respond(alertOn(exec(), "require-approval", true));
      assert.deepEqual(
        [response.outcome, response.detail],
        ["would", "would suspend standing access of dev@example.com to test, ending standing grant g-1"],
      );
      assert.equal(grants.suspensions.size, 0);
      assert.equal(grants.grants.get("g-1")?.state, "active");
    });
  });

  it("a failure is an outcome, recorded, never a throw", async () => {
    const broken: GrantRevoker = {
      findById: async () => {
        throw new Error("Connection is closed.");
      },
      revoke: async () => {
        throw new Error("unreachable");
      },
    };
    const response = await createAlertResponder({ ...deps, grants: broken }).respond(
      alertOn(exec(), "revoke-grant"),
    );
    assert.deepEqual(
      [response.outcome, response.detail],
      ["failed", "could not revoke the grant: Connection is closed."],
    );
    assert.equal(lifecycle.events.length, 1);
    assert.equal(lifecycle.events[0]?.grant, "g-1");
  });

  it("a lost alert.action record does not change the response", async () => {
    const lost = { publish: async () => Promise.reject(new Error("redis down")) };
    const response = await createAlertResponder({ ...deps, lifecycle: lost }).respond(
      alertOn(exec(), "revoke-grant"),
    );
    assert.equal(response.outcome, "done");
  });
});
