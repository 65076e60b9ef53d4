import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { OnCallLookup } from "../../../src/requests/on-call-terms.ts";
import { type NewRequest, RequestService } from "../../../src/requests/request-service.ts";
import type { Notification } from "../../../src/requests/webhook-notifier.ts";
import { silentLogger } from "../../../src/shared/logger.ts";
import { FakeRequestStore } from "../../support/fakes/fake-request-store.ts";
import { ManualClock } from "../../support/fakes/manual-clock.ts";
import { configWith, person } from "../../support/fakes/policy-config.ts";
import { RecordingLifecycle } from "../../support/fakes/recording-lifecycle.ts";

const config = configWith(
  {
    requests: [
      {
        subjects: { groups: ["devs"] },
        clusters: ["prod"],
        roles: ["edit"],
        namespaces: ["payments"],
        approvers: { groups: ["sre"] },
        approvals: 2,
        onCall: { schedule: "sre-primary", approve: "alone", autoApprove: true },
      },
    ],
  },
  { onCall: { schedules: [{ name: "sre-primary", file: "/etc/oncall.ics" }] } },
);

const dev = person("dev@example.com", ["devs"]);
const olive = person("olive@example.com", ["devs"]);
const sre = person("sre@example.com", ["sre"]);
const ask: NewRequest = {
  cluster: "prod",
  role: "edit",
  namespaces: ["payments"],
  durationSeconds: 1800,
  reason: "INC-9",
};

/** The request service over fakes, with a schedule that says `people` are on call (or cannot say). */
function setup(onCallNow: string[] | undefined, stale = false) {
  let people = onCallNow;
  const store = new FakeRequestStore();
  const clock = new ManualClock();
  const grants: string[] = [];
  const notifications: Notification[] = [];
  const asked: [string, number][] = [];
  const onCall: OnCallLookup = {
    onCallAt: (schedule, at) => {
      asked.push([schedule, at]);
      return people && { people, stale };
    },
  };
  const service = new RequestService({
    config,
    store,
    grants: { create: async () => ({ id: `grant-${grants.push("g")}` }) },
    clock,
    lifecycle: new RecordingLifecycle(),
    notifier: { notify: (n) => void notifications.push(n) },
    logger: silentLogger(),
    onCall,
  });
  /** The next shift begins: someone else is on call from now. */
  const handOver = (next: string[]) => {
    people = next;
  };
  return { service, clock, grants, notifications, asked, handOver };
}

describe("requests under an on-call rule", () => {
  it("asks the rule's schedule at the request's time, and keeps who was on call", async () => {
    const t = setup(["olive@example.com"]);
    const created = await t.service.create(dev, ask);
    assert.deepEqual(t.asked, [["sre-primary", t.clock.now()]]);
    assert.equal(created.state, "pending");
    assert.deepEqual(created.onCall, { schedule: "sre-primary", people: ["olive@example.com"] });
  });

  it("the person on call's own request is approved at once, and says why", async () => {
    const t = setup(["olive@example.com"], true);
    const created = await t.service.create(olive, ask);
    assert.equal(created.state, "approved");
    assert.equal(created.grantId, "grant-1");
    assert.deepEqual(created.onCall, { schedule: "sre-primary", people: ["olive@example.com"], stale: true });
    assert.equal(created.approvals[0]?.comment, "olive@example.com is on call in schedule sre-primary");
    assert.equal(created.approvals[0]?.onCall, true);
  });

  it("the person on call approves alone; a later shift does not matter, the request keeps its own", async () => {
    const t = setup(["olive@example.com"]);
    const created = await t.service.create(dev, ask);
    t.handOver(["sam@example.com"]);
    const approved = await t.service.approve(olive, created.id);
    assert.equal(approved.state, "approved");
    assert.equal(approved.approvals.length, 1);
    const notified = t.notifications.find((n) => n.event === "request.approved");
    assert.match(notified!.text, /approved by olive@example.com, on call in schedule sre-primary/);
  });

  it("an approver not on call is one of the two approvals needed", async () => {
    const t = setup(["olive@example.com"]);
    const created = await t.service.create(dev, ask);
    assert.equal((await t.service.approve(sre, created.id)).state, "pending");
  });

  it("a schedule that cannot say leaves the request to the approvers, unblocked", async () => {
    const t = setup(undefined);
    const created = await t.service.create(olive, ask);
    assert.equal(created.state, "pending");
    assert.equal(created.onCall, undefined);
    await assert.rejects(t.service.approve(person("erin@example.com"), created.id), /not found/);
  });

  it("the created notification names the people on call first", async () => {
    const t = setup(["erin@example.com", "olive@example.com"]);
    await t.service.create(dev, ask);
    const created = t.notifications.find((n) => n.event === "request.created")!;
    assert.match(
      created.text,
      /^On call \(sre-primary\): erin@example.com, olive@example.com — dev@example.com requests/,
    );
    assert.deepEqual(created.data.onCall, {
      schedule: "sre-primary",
      people: ["erin@example.com", "olive@example.com"],
    });
  });
});
