import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NewGrant } from "../../../src/grants/grant-request.ts";
import { type NewRequest, RequestService } from "../../../src/requests/request-service.ts";
import type { Notification } from "../../../src/requests/webhook-notifier.ts";
import { BrokerError } from "../../../src/shared/errors.ts";
import { silentLogger } from "../../../src/shared/logger.ts";
import { FakeRequestStore } from "../../support/fakes/fake-request-store.ts";
import { ManualClock } from "../../support/fakes/manual-clock.ts";
import { configWith, person } from "../../support/fakes/policy-config.ts";
import { RecordingLifecycle } from "../../support/fakes/recording-lifecycle.ts";

const config = configWith({
  requests: [
    // On-call may break glass for edit in payments, for at most 30m; no reason needed otherwise.
    {
      subjects: { groups: ["oncall"] },
      clusters: ["prod"],
      roles: ["edit"],
      namespaces: ["payments"],
      approvers: { groups: ["sre"] },
      reasonRequired: false,
      breakGlass: { maxDuration: "30m" },
    },
    // Developers may ask for view, with approval only.
    {
      subjects: { groups: ["devs"] },
      clusters: ["prod"],
      roles: ["view"],
      namespaces: ["payments"],
      approvers: { groups: ["sre"] },
    },
  ],
});

const oncall = person("oncall@example.com", ["devs", "oncall"]);
const dev = person("dev@example.com", ["devs"]);
const sre = person("sre@example.com", ["sre"]);
const emergency: NewRequest = {
  cluster: "prod",
  role: "edit",
  namespaces: ["payments"],
  durationSeconds: 1200,
  reason: "INC-7: payments down, approvers asleep",
  breakGlass: true,
};

function setup() {
  const store = new FakeRequestStore();
  const clock = new ManualClock();
  const lifecycle = new RecordingLifecycle();
  const grants: NewGrant[] = [];
  const notifications: Notification[] = [];
  const service = new RequestService({
    config,
    store,
    grants: {
      create: async (input) => {
        grants.push(structuredClone(input));
        return { id: `grant-${grants.length}` };
      },
    },
    clock,
    lifecycle,
    notifier: { notify: (n) => void notifications.push(n) },
    logger: silentLogger(),
  });
  return { service, store, clock, lifecycle, grants, notifications };
}

function brokerError(code: number, message: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof BrokerError, `expected a BrokerError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    return true;
  };
}

describe("break-glass requests", () => {
  it("are approved at once by the requester, and give a grant of origin break-glass with the reason", async () => {
    const t = setup();
    const created = await t.service.create(oncall, { ...emergency, reason: "  INC-7: payments down " });
    assert.equal(created.state, "approved");
    assert.equal(created.breakGlass, true);
    assert.equal(created.reason, "INC-7: payments down");
    assert.equal(created.grantId, "grant-1");
    assert.deepEqual(created.approvals, [
      { by: "oncall@example.com", subject: oncall.subject, at: t.clock.now(), comment: "break-glass" },
    ]);
    assert.deepEqual(t.grants, [
      {
        principal: oncall,
        cluster: "prod",
        role: "edit",
        namespaces: ["payments"],
        ttlSeconds: 1200,
        origin: "break-glass",
        reason: "INC-7: payments down",
        requestId: created.id,
      },
    ]);
    assert.deepEqual(await t.store.listPending(), [], "nothing left for approvers");
    assert.deepEqual(
      t.lifecycle.events.map((e) => [e.event, e.grantKind]),
      [
        ["request.created", "break-glass"],
        ["request.approved", "break-glass"],
      ],
    );
    // Approvers are told, not asked: one notification, and it says BREAK-GLASS first.
    assert.deepEqual(
      t.notifications.map((n) => n.event),
      ["request.approved"],
    );
    assert.match(
      t.notifications[0]!.text,
      /^BREAK-GLASS: oncall@example\.com took edit in payments on prod for 20m at once, with no approver: "INC-7: payments down" \(grant grant-1\)\. Check it now; end it with: kubectl broker revoke grant-1 — https:\/\/kb\.example\.com\/ui\/requests\/\w+$/,
    );
    assert.equal((t.notifications[0]!.data.request as { breakGlass?: boolean }).breakGlass, true);
  });

  it("need a reason even where the rule asks none for ordinary requests: 422, nothing stored", async () => {
    const t = setup();
    for (const reason of ["", "   "]) {
      await assert.rejects(
        t.service.create(oncall, { ...emergency, reason }),
        brokerError(422, /break-glass access needs a reason/),
      );
    }
    assert.equal(t.store.size, 0);
    assert.deepEqual(t.lifecycle.events, []);
    assert.deepEqual(t.grants, []);
  });

  it("are refused past the break-glass maximum (not capped), nothing stored", async () => {
    const t = setup();
    await assert.rejects(
      t.service.create(oncall, { ...emergency, durationSeconds: 3600 }),
      brokerError(422, /the duration 1h exceeds the maximum of 30m for break-glass access/),
    );
    assert.equal(t.store.size, 0);
  });

  it("are refused to someone no break-glass rule covers, and under a rule without breakGlass", async () => {
    const t = setup();
    await assert.rejects(
      t.service.create(dev, emergency),
      brokerError(403, /no policy lets dev@example\.com request role "edit"/),
    );
    await assert.rejects(
      t.service.create(dev, { ...emergency, role: "view" }),
      brokerError(403, /no request policy allows break-glass for dev@example\.com .*without --break-glass/),
    );
    await assert.rejects(
      t.service.create(sre, emergency),
      brokerError(403, /break-glass is only for access a request rule covers/),
    );
    assert.equal(t.store.size, 0);
    assert.deepEqual(t.grants, []);
  });

  it("leave ordinary requests under the same rule as they were: pending, for approvers", async () => {
    const t = setup();
    const ordinary = await t.service.create(oncall, { ...emergency, breakGlass: false, reason: "" });
    assert.equal(ordinary.state, "pending");
    assert.equal(ordinary.breakGlass, undefined);
    assert.equal(t.lifecycle.events[0]?.grantKind, "requested");
    assert.match(t.notifications[0]!.text, /^oncall@example\.com requests edit/);
  });
});
