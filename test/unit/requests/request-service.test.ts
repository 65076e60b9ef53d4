import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LifecycleEvent } from "../../../src/audit/record.ts";
import type { NewGrant } from "../../../src/grants/grant-request.ts";
import type { AccessRequest } from "../../../src/requests/access-request.ts";
import { type NewRequest, RequestService } from "../../../src/requests/request-service.ts";
import type { Notification } from "../../../src/requests/webhook-notifier.ts";
import { BrokerError } from "../../../src/shared/errors.ts";
import { silentLogger } from "../../../src/shared/logger.ts";
import { FakeRequestStore } from "../../support/fakes/fake-request-store.ts";
import { ManualClock } from "../../support/fakes/manual-clock.ts";
import { configWith, person } from "../../support/fakes/policy-config.ts";
import { RecordingLifecycle } from "../../support/fakes/recording-lifecycle.ts";

const config = configWith(
  {
    requests: [
      // edit in payments on prod: one approval from sre, a reason, at most 2h (role edit's maxTtl).
      {
        subjects: { groups: ["devs"] },
        clusters: ["prod"],
        roles: ["edit"],
        namespaces: ["payments"],
        approvers: { groups: ["sre"] },
      },
      // view in payments on prod: two approvals, no reason needed, at most 1h, pending for 20m.
      {
        subjects: { groups: ["devs"] },
        clusters: ["prod"],
        roles: ["view"],
        namespaces: ["payments"],
        approvers: { groups: ["sre"] },
        approvals: 2,
        reasonRequired: false,
        maxDuration: "1h",
        pendingTtl: "20m",
      },
      // On staging, on-call gets edit at once, and everyone the low-risk role logs.
      {
        subjects: { groups: ["devs"] },
        clusters: ["staging"],
        roles: ["edit", "logs"],
        namespaces: ["payments"],
        approvers: { groups: ["sre"] },
        autoApprove: { groups: ["oncall"] },
      },
    ],
  },
  { admins: { groups: ["admins"] } },
);

const dev = person("dev@example.com", ["devs"]);
const devSre = person("devsre@example.com", ["devs", "sre"]);
const oncall = person("oncall@example.com", ["devs", "oncall"]);
const eve = person("eve@example.com", ["devs"]);
const sre1 = person("sre1@example.com", ["sre"]);
const sre2 = person("sre2@example.com", ["sre"]);
const sre3 = person("sre3@example.com", ["sre"]);
const admin = person("admin@example.com", ["admins"]);

const HOUR = 3600_000;
const MINUTE = 60_000;

/** edit in payments on prod for 30m: one approval needed. */
const editAsk: NewRequest = {
  cluster: "prod",
  role: "edit",
  namespaces: ["payments"],
  durationSeconds: 1800,
  reason: "INC-42",
};
/** view in payments on prod for 30m: two approvals needed, expires after 20m. */
const viewAsk: NewRequest = { ...editAsk, role: "view", reason: "" };

/** A GrantMaker that remembers what it was asked for, and fails when told to. */
class FakeGrants {
  readonly inputs: NewGrant[] = [];
  failWith: Error | undefined;

  async create(input: NewGrant): Promise<{ id: string }> {
    this.inputs.push(structuredClone(input));
    if (this.failWith) throw this.failWith;
    return { id: `grant-${this.inputs.length}` };
  }
}

function setup(lifecycle = new RecordingLifecycle()) {
  const store = new FakeRequestStore();
  const clock = new ManualClock();
  const grants = new FakeGrants();
  const notifications: Notification[] = [];
  const service = new RequestService({
    config,
    store,
    grants,
    clock,
    lifecycle,
    notifier: { notify: (n) => void notifications.push(n) },
    logger: silentLogger(),
  });
  return {
    service,
    store,
    clock,
    grants,
    lifecycle,
    notifications,
    /** Lifecycle event names in order. */
    events: () => lifecycle.events.map((e) => e.event),
    /** Notified event names in order. */
    notified: () => notifications.map((n) => n.event),
  };
}

/** A rejection check: a BrokerError with this HTTP code and a message matching `message`. */
function brokerError(code: number, message: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof BrokerError, `expected a BrokerError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    return true;
  };
}
const conflict = (message: RegExp) => brokerError(409, message);
const forbidden = (message: RegExp) => brokerError(403, message);
const notFound = (id: string) => brokerError(404, new RegExp(`^access request "${id}" not found$`));
const invalid = (message: RegExp) => brokerError(422, message);

/**
 * Makes `action` land in the middle of the next compareAndSet: after its caller read the
 * request and decided, before the store checks the version. The hook removes itself first,
 * so the action's own writes go through untouched.
 */
function landInside<T>(store: FakeRequestStore, action: () => Promise<T>) {
  const landed: { fired: boolean; outcome?: Promise<PromiseSettledResult<T>> } = { fired: false };
  store.beforeCompareAndSet = async () => {
    store.beforeCompareAndSet = undefined;
    landed.fired = true;
    landed.outcome = action().then(
      (value) => ({ status: "fulfilled", value }),
      (reason: unknown) => ({ status: "rejected", reason }),
    );
    await landed.outcome;
  };
  return {
    /** What the action returned; fails the test if it never ran. */
    async value(): Promise<T> {
      assert.ok(landed.fired, "the interleaved action never ran");
      const outcome = await landed.outcome!;
      if (outcome.status === "rejected") throw outcome.reason;
      return outcome.value;
    },
  };
}

describe("RequestService.create", () => {
  it("refuses what policy or the limits do not allow, and changes nothing", async () => {
    const t = setup();
    const refusals: [string, NewRequest, (err: unknown) => boolean][] = [
      [
        "no rule covers the namespace",
        { ...editAsk, namespaces: ["kube-system"] },
        forbidden(/no policy lets/),
      ],
      [
        "no rule covers the cluster",
        { ...editAsk, cluster: "staging", role: "view" },
        forbidden(/no policy/),
      ],
      ["an unknown role", { ...editAsk, role: "root" }, invalid(/role "root" does not exist/)],
      [
        "over the maximum",
        { ...editAsk, durationSeconds: 3 * 3600 },
        invalid(/^the duration 3h exceeds the maximum of 2h for this request$/),
      ],
      ["under 60 s", { ...editAsk, durationSeconds: 59 }, invalid(/^the duration must be at least 1m$/)],
      ["a fraction of a second", { ...editAsk, durationSeconds: 90.5 }, invalid(/at least 1m/)],
      ["no reason", { ...editAsk, reason: "" }, invalid(/^a reason is required for this request/)],
      ["a blank reason", { ...editAsk, reason: "  \t " }, invalid(/a reason is required/)],
    ];
    for (const [what, ask, check] of refusals) {
      await assert.rejects(t.service.create(dev, ask), check, what);
    }
    await assert.rejects(
      t.service.create(person("mallory@example.com", ["ops"]), editAsk),
      forbidden(/^no policy lets mallory@example\.com request role "edit"/),
    );
    assert.equal(t.store.size, 0);
    assert.deepEqual(t.lifecycle.events, []);
    assert.deepEqual(t.notifications, []);
    assert.deepEqual(t.grants.inputs, []);
  });

  it("stores a pending request with the rule's terms and announces it", async () => {
    const t = setup();
    const created = await t.service.create(dev, { ...editAsk, reason: "  INC-42 " });
    const now = t.clock.now();
    assert.deepEqual(created, {
      id: created.id,
      version: 1,
      requester: dev,
      cluster: "prod",
      role: "edit",
      namespaces: ["payments"],
      durationSeconds: 1800,
      reason: "INC-42",
      createdAt: now,
      expiresAt: now + HOUR, // the rule's default pendingTtl
      approvalsRequired: 1,
      state: "pending",
      approvals: [],
    });
    assert.deepEqual(await t.store.get(created.id), created);
    assert.deepEqual(t.lifecycle.events, [
      {
        event: "request.created",
        cluster: "prod",
        user: "dev@example.com",
        groups: "devs",
        grant: "",
        role: "edit",
        grantKind: "requested",
        namespace: "payments",
        detail: "edit in payments on prod for 30m; INC-42",
        request: created.id,
      },
    ]);
    assert.deepEqual(t.notified(), ["request.created"]);
    const link = `https://kb.example.com/ui/requests/${created.id}`;
    assert.ok(
      t.notifications[0]!.text.endsWith(`kubectl broker approve ${created.id} — ${link}`),
      "chat gets the command and, last, the request's console page",
    );
    assert.equal(t.notifications[0]!.data.link, link, "the JSON body links to the console page");
    assert.deepEqual(t.grants.inputs, []);
  });

  it("takes no reason where the rule needs none, and the rule's approvals and pending TTL", async () => {
    const t = setup();
    const created = await t.service.create(dev, viewAsk);
    assert.equal(created.state, "pending");
    assert.equal(created.reason, "");
    assert.equal(created.approvalsRequired, 2);
    assert.equal(created.expiresAt, t.clock.now() + 20 * MINUTE);
  });

  it("approves an auto-approved request at once and provisions its grant once", async () => {
    const t = setup();
    const ask = { ...editAsk, cluster: "staging" };
    const approved = await t.service.create(oncall, ask);
    const now = t.clock.now();
    assert.equal(approved.state, "approved");
    assert.equal(approved.version, 3); // created, approved, grant recorded
    assert.equal(approved.decidedAt, now);
    assert.equal(approved.grantId, "grant-1");
    assert.deepEqual(approved.approvals, [
      { by: "auto-approval policy", subject: "", at: now, comment: "", automatic: true },
    ]);
    assert.deepEqual(t.grants.inputs, [
      {
        principal: oncall,
        cluster: "staging",
        role: "edit",
        namespaces: ["payments"],
        ttlSeconds: 1800,
        origin: "request",
        reason: "INC-42",
        requestId: approved.id,
      },
    ]);
    assert.deepEqual(await t.store.get(approved.id), approved);
    assert.deepEqual(await t.store.listPending(), []);
    assert.deepEqual(t.events(), ["request.created", "request.approved"]);
    assert.deepEqual(t.notified(), ["request.approved"], "approvers are told, not asked");
    assert.equal(t.lifecycle.events[1]!.grant, "grant-1");
    assert.match(
      t.notifications[0]!.text,
      /was approved by auto-approval policy \(grant grant-1\) — https:\/\/kb\.example\.com\/ui\/requests\/\w+$/,
    );
  });

  it("does not ask approvers to approve a request that was approved at once", async () => {
    const t = setup();
    await t.service.create(oncall, { ...editAsk, cluster: "staging" });
    for (const n of t.notifications) assert.doesNotMatch(n.text, /Approve with: kubectl broker approve/);
  });

  it("auto-approves a low-risk role for anyone the rule covers, but not another role", async () => {
    const t = setup();
    const logs = await t.service.create(dev, { ...editAsk, cluster: "staging", role: "logs" });
    assert.equal(logs.state, "approved");
    const edit = await t.service.create(dev, { ...editAsk, cluster: "staging" });
    assert.equal(edit.state, "pending");
    assert.equal(t.grants.inputs.length, 1);
  });
});

describe("RequestService.approve, one approval required", () => {
  it("approves, provisions the grant with the request's terms, and announces it", async () => {
    const t = setup();
    const created = await t.service.create(dev, editAsk);
    t.clock.advance(5 * MINUTE);
    const approved = await t.service.approve(sre1, created.id, "ok");
    const now = t.clock.now();
    assert.deepEqual(approved, {
      ...created,
      version: 3,
      state: "approved",
      decidedAt: now,
      approvals: [{ by: "sre1@example.com", subject: sre1.subject, at: now, comment: "ok" }],
      grantId: "grant-1",
    });
    assert.deepEqual(t.grants.inputs, [
      {
        principal: dev,
        cluster: "prod",
        role: "edit",
        namespaces: ["payments"],
        ttlSeconds: 1800,
        origin: "request",
        reason: "INC-42",
        requestId: created.id,
      },
    ]);
    assert.deepEqual(await t.store.get(created.id), approved);
    assert.deepEqual(await t.store.listPending(), []);
    assert.deepEqual(t.events(), ["request.created", "request.approved"]);
    assert.match(t.lifecycle.events[1]!.detail!, /; approved by sre1@example\.com; grant grant-1$/);
    assert.deepEqual(t.notified(), ["request.created", "request.approved"]);
    assert.match(
      t.notifications[1]!.text,
      /was approved by sre1@example\.com \(grant grant-1\) — https:\/\/kb\.example\.com\/ui\/requests\/\w+$/,
    );
  });

  it("never lets requesters approve their own request, even when they are approvers", async () => {
    const t = setup();
    const created = await t.service.create(devSre, editAsk);
    await assert.rejects(
      t.service.approve(devSre, created.id),
      forbidden(/^you cannot approve your own request; another approver has to$/),
    );
    await assert.rejects(t.service.deny(devSre, created.id), forbidden(/your own request/));
    assert.deepEqual(await t.store.get(created.id), created);
    assert.deepEqual(t.events(), ["request.created"]);
    assert.deepEqual(t.grants.inputs, []);
  });

  it("answers NotFound to someone who may neither decide nor see the request, and changes nothing", async () => {
    const t = setup();
    const created = await t.service.create(dev, editAsk);
    await assert.rejects(t.service.approve(eve, created.id), notFound(created.id));
    await assert.rejects(t.service.deny(eve, created.id), notFound(created.id));
    await assert.rejects(t.service.approve(sre1, "no-such-id"), notFound("no-such-id"));
    assert.deepEqual(await t.store.get(created.id), created);
    assert.deepEqual(t.events(), ["request.created"]);
    assert.deepEqual(t.grants.inputs, []);
  });

  it("answers Forbidden to an admin, who sees every request but is no approver", async () => {
    const t = setup();
    const created = await t.service.create(dev, editAsk);
    assert.equal((await t.service.get(admin, created.id)).id, created.id);
    await assert.rejects(
      t.service.approve(admin, created.id),
      forbidden(/^admin@example\.com is not an approver for requests for role "edit"/),
    );
    await assert.rejects(t.service.deny(admin, created.id), forbidden(/is not an approver/));
    assert.deepEqual(await t.store.get(created.id), created);
    assert.deepEqual(t.grants.inputs, []);
  });

  it("refuses a second approval once approved, without a second grant", async () => {
    const t = setup();
    const created = await t.service.create(dev, editAsk);
    await t.service.approve(sre1, created.id);
    await assert.rejects(
      t.service.approve(sre2, created.id),
      conflict(new RegExp(`^request ${created.id} is approved; it can no longer be approved$`)),
    );
    await assert.rejects(t.service.approve(sre1, created.id), conflict(/is approved/));
    assert.equal(t.grants.inputs.length, 1);
    assert.equal((await t.store.get(created.id))?.version, 3);
  });
});

describe("RequestService.approve, two approvals required", () => {
  it("keeps the request pending after the first approval, and provisions once at the second", async () => {
    const t = setup();
    const created = await t.service.create(dev, viewAsk);
    t.clock.advance(MINUTE);
    const first = await t.service.approve(sre1, created.id, "looks fine");
    assert.equal(first.state, "pending");
    assert.equal(first.version, 2);
    assert.equal(first.decidedAt, undefined);
    assert.deepEqual(first.approvals, [
      { by: "sre1@example.com", subject: sre1.subject, at: t.clock.now(), comment: "looks fine" },
    ]);
    assert.deepEqual(await t.store.get(created.id), first);
    assert.equal(t.grants.inputs.length, 0);
    assert.deepEqual(t.events(), ["request.created", "request.approved"]);
    assert.match(t.lifecycle.events[1]!.detail!, /; approval 1 of 2 by sre1@example\.com$/);
    assert.deepEqual(t.notified(), ["request.created"]); // nobody is told of half an approval

    await assert.rejects(
      t.service.approve(sre1, created.id),
      conflict(
        new RegExp(
          `^you have already approved request ${created.id}; it needs 1 more approval\\(s\\) from others$`,
        ),
      ),
    );
    assert.equal((await t.store.get(created.id))?.version, 2);

    t.clock.advance(MINUTE);
    const approved = await t.service.approve(sre2, created.id);
    assert.equal(approved.state, "approved");
    assert.equal(approved.version, 4);
    assert.equal(approved.decidedAt, t.clock.now());
    assert.deepEqual(
      approved.approvals.map((a) => a.by),
      ["sre1@example.com", "sre2@example.com"],
    );
    assert.equal(approved.grantId, "grant-1");
    assert.equal(t.grants.inputs.length, 1);
    assert.equal(t.grants.inputs[0]!.ttlSeconds, 1800);
    assert.deepEqual(t.events(), ["request.created", "request.approved", "request.approved"]);
    assert.deepEqual(t.notified(), ["request.created", "request.approved"]);
    assert.match(t.notifications[1]!.text, /approved by sre2@example\.com/);
  });

  it("lets an approver deny after another approved: denied, no grant", async () => {
    const t = setup();
    const created = await t.service.create(dev, viewAsk);
    await t.service.approve(sre1, created.id);
    const denied = await t.service.deny(sre2, created.id);
    assert.equal(denied.state, "denied");
    assert.equal(denied.version, 3);
    assert.deepEqual(t.grants.inputs, []);
  });
});

describe("RequestService races", () => {
  it("two approvals of a one-approval request: one grant, and the loser is told it is approved", async () => {
    const t = setup();
    const created = await t.service.create(dev, editAsk);
    const sre2Approval = landInside(t.store, () => t.service.approve(sre2, created.id));
    await assert.rejects(
      t.service.approve(sre1, created.id),
      conflict(new RegExp(`^request ${created.id} is approved; it can no longer be approved$`)),
    );
    const approved = await sre2Approval.value();
    assert.deepEqual(
      approved.approvals.map((a) => a.by),
      ["sre2@example.com"],
    );
    assert.deepEqual(await t.store.get(created.id), approved);
    assert.equal(t.grants.inputs.length, 1);
    assert.deepEqual(t.events(), ["request.created", "request.approved"]);
    assert.deepEqual(t.notified(), ["request.created", "request.approved"]);
  });

  it("many approvals at once of a one-approval request: exactly one wins and one grant is made", async () => {
    const t = setup();
    const created = await t.service.create(dev, editAsk);
    const approvers = [sre1, sre2, sre3, devSre, person("boss@example.com", ["sre"])];
    const results = await Promise.allSettled(approvers.map((a) => t.service.approve(a, created.id)));
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    for (const r of results) {
      if (r.status === "rejected") conflict(/is approved; it can no longer be approved/)(r.reason);
    }
    assert.equal(t.grants.inputs.length, 1);
    assert.equal((await t.store.get(created.id))?.approvals.length, 1);
  });

  it("a lost first approval of a two-approval request is retried on the new version and completes it", async () => {
    const t = setup();
    const created = await t.service.create(dev, viewAsk);
    const sre2Approval = landInside(t.store, () => t.service.approve(sre2, created.id));
    const approved = await t.service.approve(sre1, created.id);
    assert.equal((await sre2Approval.value()).state, "pending");
    assert.equal(approved.state, "approved");
    assert.deepEqual(
      approved.approvals.map((a) => a.by),
      ["sre2@example.com", "sre1@example.com"],
    );
    assert.equal(approved.version, 4);
    assert.equal(t.grants.inputs.length, 1);
  });

  it("the same approver twice at once on a two-approval request counts once", async () => {
    const t = setup();
    const created = await t.service.create(dev, viewAsk);
    const again = landInside(t.store, () => t.service.approve(sre1, created.id));
    await assert.rejects(t.service.approve(sre1, created.id), conflict(/you have already approved/));
    assert.equal((await again.value()).state, "pending");
    const stored = (await t.store.get(created.id))!;
    assert.equal(stored.state, "pending");
    assert.equal(stored.approvals.length, 1);
    assert.deepEqual(t.grants.inputs, []);
  });

  it("the last two approvals of a two-approval request at once: one grant", async () => {
    const t = setup();
    const created = await t.service.create(dev, viewAsk);
    await t.service.approve(sre1, created.id);
    const sre3Approval = landInside(t.store, () => t.service.approve(sre3, created.id));
    await assert.rejects(t.service.approve(sre2, created.id), conflict(/is approved/));
    const approved = await sre3Approval.value();
    assert.deepEqual(
      approved.approvals.map((a) => a.by),
      ["sre1@example.com", "sre3@example.com"],
    );
    assert.equal(t.grants.inputs.length, 1);
  });

  it("a deny that lands first wins over an approval: denied, no grant", async () => {
    const t = setup();
    const created = await t.service.create(dev, editAsk);
    const denial = landInside(t.store, () => t.service.deny(sre2, created.id, "no"));
    await assert.rejects(
      t.service.approve(sre1, created.id),
      conflict(new RegExp(`^request ${created.id} is denied; it can no longer be approved$`)),
    );
    assert.equal((await denial.value()).state, "denied");
    assert.equal((await t.store.get(created.id))?.state, "denied");
    assert.deepEqual(t.grants.inputs, []);
    assert.deepEqual(t.events(), ["request.created", "request.denied"]);
  });

  it("an approval that lands first wins over a deny: approved, one grant", async () => {
    const t = setup();
    const created = await t.service.create(dev, editAsk);
    const approval = landInside(t.store, () => t.service.approve(sre2, created.id));
    await assert.rejects(
      t.service.deny(sre1, created.id),
      conflict(new RegExp(`^request ${created.id} is approved; it can no longer be denied$`)),
    );
    assert.equal((await approval.value()).state, "approved");
    assert.equal(t.grants.inputs.length, 1);
    assert.deepEqual(t.events(), ["request.created", "request.approved"]);
  });

  it("an approval that lands during a cancel wins: the cancel is a Conflict", async () => {
    const t = setup();
    const created = await t.service.create(dev, editAsk);
    const approval = landInside(t.store, () => t.service.approve(sre1, created.id));
    await assert.rejects(
      t.service.cancel(dev, created.id),
      conflict(new RegExp(`^request ${created.id} is approved; only pending requests can be canceled$`)),
    );
    assert.equal((await approval.value()).state, "approved");
    assert.equal(t.grants.inputs.length, 1);
    assert.deepEqual(t.events(), ["request.created", "request.approved"]);
  });

  it("a cancel that lands during an approval wins: no grant", async () => {
    const t = setup();
    const created = await t.service.create(dev, editAsk);
    const cancel = landInside(t.store, () => t.service.cancel(dev, created.id));
    await assert.rejects(
      t.service.approve(sre1, created.id),
      conflict(/is canceled; it can no longer be approved/),
    );
    assert.equal((await cancel.value()).state, "canceled");
    assert.deepEqual(t.grants.inputs, []);
    assert.deepEqual(t.events(), ["request.created", "request.canceled"]);
  });

  it("an expiry pass and a read that both find the request due announce its expiry once", async () => {
    const t = setup();
    const created = await t.service.create(dev, editAsk);
    t.clock.advance(HOUR);
    const read = landInside(t.store, () => t.service.get(dev, created.id));
    await t.service.expireDue();
    assert.equal((await read.value()).state, "expired");
    assert.deepEqual(t.events(), ["request.created", "request.expired"]);
    assert.deepEqual(t.notified(), ["request.created", "request.expired"]);
  });
});

describe("RequestService expiry", () => {
  it("expires a pending request at its own deadline on read, recorded and announced once", async () => {
    const t = setup();
    const created = await t.service.create(dev, editAsk);
    t.clock.advance(HOUR - 1);
    assert.equal((await t.service.get(dev, created.id)).state, "pending");
    t.clock.advance(1);
    const expired = await t.service.get(dev, created.id);
    assert.deepEqual(expired, { ...created, version: 2, state: "expired", decidedAt: created.expiresAt });
    assert.deepEqual(await t.store.get(created.id), expired);
    assert.deepEqual(await t.service.get(sre1, created.id), expired);
    assert.deepEqual(t.events(), ["request.created", "request.expired"]);
    assert.deepEqual(t.notified(), ["request.created", "request.expired"]);
    assert.match(
      t.notifications[1]!.text,
      /expired without a decision — https:\/\/kb\.example\.com\/ui\/requests\/\w+$/,
    );
    assert.equal(await t.service.expireDue(), 0);
  });

  it("lists a request past its deadline as expired before anything records it", async () => {
    const t = setup();
    const created = await t.service.create(dev, editAsk);
    t.clock.advance(HOUR);
    const [mine] = await t.service.list(dev, "mine");
    assert.equal(mine?.state, "expired");
    const [review] = await t.service.list(sre1, "review");
    assert.equal(review?.state, "expired");
    assert.deepEqual(await t.service.list(sre1, "review", "pending"), []);
    assert.equal((await t.store.get(created.id))?.state, "pending");
    assert.deepEqual(t.events(), ["request.created"]);
  });

  it("answers Conflict to an approval or a denial after the deadline", async () => {
    const t = setup();
    const created = await t.service.create(dev, editAsk);
    t.clock.advance(HOUR);
    await assert.rejects(
      t.service.approve(sre1, created.id),
      conflict(new RegExp(`^request ${created.id} is expired; it can no longer be approved$`)),
    );
    await assert.rejects(
      t.service.deny(sre1, created.id),
      conflict(new RegExp(`^request ${created.id} is expired; it can no longer be denied$`)),
    );
    assert.deepEqual(t.grants.inputs, []);
    assert.deepEqual(t.events(), ["request.created", "request.expired"]);
  });

  it("expireDue expires each due request once, announced once even when run twice", async () => {
    const t = setup();
    const edit = await t.service.create(dev, editAsk); // pending for 1h
    const view = await t.service.create(dev, viewAsk); // pending for 20m
    assert.equal(await t.service.expireDue(), 0);
    t.clock.advance(20 * MINUTE);
    assert.equal(await t.service.expireDue(), 1);
    assert.equal(await t.service.expireDue(), 0);
    assert.equal((await t.store.get(view.id))?.state, "expired");
    assert.equal((await t.store.get(edit.id))?.state, "pending");
    t.clock.advance(40 * MINUTE);
    assert.equal(await t.service.expireDue(), 1);
    assert.equal(await t.service.expireDue(), 0);
    assert.deepEqual(
      t.lifecycle.named("request.expired").map((e) => e.request),
      [view.id, edit.id],
    );
    assert.deepEqual(t.notifications.filter((n) => n.event === "request.expired").length, 2);
    assert.deepEqual(await t.store.listPending(), []);
  });

  it("refuses to cancel an expired request", async () => {
    const t = setup();
    const created = await t.service.create(dev, editAsk);
    t.clock.advance(2 * HOUR);
    await assert.rejects(
      t.service.cancel(dev, created.id),
      conflict(new RegExp(`^request ${created.id} is expired; only pending requests can be canceled$`)),
    );
    assert.equal((await t.store.get(created.id))?.state, "expired");
    assert.deepEqual(t.events(), ["request.created", "request.expired"]);
  });
});

describe("RequestService when the grant cannot be provisioned", () => {
  it("records the error on the approved request, rethrows it, and never tries again", async () => {
    const t = setup();
    const created = await t.service.create(dev, editAsk);
    const failure = new Error("cluster prod is unreachable");
    t.grants.failWith = failure;
    await assert.rejects(t.service.approve(sre1, created.id), (err) => err === failure);
    const stored = (await t.store.get(created.id))!;
    assert.equal(stored.state, "approved");
    assert.equal(stored.version, 3);
    assert.equal(stored.grantError, "cluster prod is unreachable");
    assert.equal(stored.grantId, undefined);
    assert.equal(t.grants.inputs.length, 1);
    assert.deepEqual(t.events(), ["request.created", "request.approved"]);
    assert.match(
      t.lifecycle.events[1]!.detail!,
      /; approved, but the grant could not be provisioned: cluster prod is unreachable$/,
    );
    assert.deepEqual(t.notified(), ["request.created"]);

    t.grants.failWith = undefined;
    await assert.rejects(t.service.approve(sre2, created.id), conflict(/is approved/));
    await assert.rejects(t.service.cancel(dev, created.id), conflict(/is approved/));
    assert.equal(t.grants.inputs.length, 1);
    assert.deepEqual(await t.store.get(created.id), stored);
  });

  it("fails an auto-approved create the same way, leaving the approved request behind", async () => {
    const t = setup();
    t.grants.failWith = new Error("quota exceeded");
    await assert.rejects(t.service.create(oncall, { ...editAsk, cluster: "staging" }), /quota exceeded/);
    const [stored] = await t.store.listByRequester(oncall.subject);
    assert.equal(stored?.state, "approved");
    assert.equal(stored?.grantError, "quota exceeded");
    assert.equal(t.grants.inputs.length, 1);
  });
});

describe("RequestService.deny and cancel", () => {
  it("denies: decided now by the approver, with the comment, announced", async () => {
    const t = setup();
    const created = await t.service.create(dev, editAsk);
    t.clock.advance(2 * MINUTE);
    const denied = await t.service.deny(sre1, created.id, "not during the freeze");
    const now = t.clock.now();
    assert.deepEqual(denied, {
      ...created,
      version: 2,
      state: "denied",
      decidedAt: now,
      denial: { by: "sre1@example.com", subject: sre1.subject, at: now, comment: "not during the freeze" },
    });
    assert.deepEqual(await t.store.get(created.id), denied);
    assert.deepEqual(await t.store.listPending(), []);
    assert.deepEqual(t.events(), ["request.created", "request.denied"]);
    assert.match(t.lifecycle.events[1]!.detail!, /; denied by sre1@example\.com: not during the freeze$/);
    assert.deepEqual(t.notified(), ["request.created", "request.denied"]);
    assert.match(
      t.notifications[1]!.text,
      /was denied by sre1@example\.com — https:\/\/kb\.example\.com\/ui\/requests\/\w+$/,
    );
    assert.deepEqual(t.grants.inputs, []);

    await assert.rejects(t.service.deny(sre2, created.id), conflict(/is denied; it can no longer be denied/));
    await assert.rejects(t.service.approve(sre2, created.id), conflict(/is denied/));
    await assert.rejects(t.service.cancel(dev, created.id), conflict(/is denied/));
    assert.equal((await t.store.get(created.id))?.version, 2);
  });

  it("cancels: decided now, recorded but not notified", async () => {
    const t = setup();
    const created = await t.service.create(dev, editAsk);
    t.clock.advance(MINUTE);
    const canceled = await t.service.cancel(dev, created.id);
    assert.deepEqual(canceled, { ...created, version: 2, state: "canceled", decidedAt: t.clock.now() });
    assert.deepEqual(await t.store.get(created.id), canceled);
    assert.deepEqual(await t.store.listPending(), []);
    assert.deepEqual(t.events(), ["request.created", "request.canceled"]);
    assert.match(t.lifecycle.events[1]!.detail!, /; canceled by the requester$/);
    assert.deepEqual(t.notified(), ["request.created"]);

    await assert.rejects(
      t.service.cancel(dev, created.id),
      conflict(/is canceled; only pending requests can be canceled/),
    );
    await assert.rejects(t.service.approve(sre1, created.id), conflict(/is canceled/));
    assert.deepEqual(t.grants.inputs, []);
  });

  it("lets only the requester cancel", async () => {
    const t = setup();
    const created = await t.service.create(dev, editAsk);
    for (const someone of [sre1, admin]) {
      await assert.rejects(
        t.service.cancel(someone, created.id),
        forbidden(/^only the requester can cancel a request$/),
      );
    }
    await assert.rejects(t.service.cancel(eve, created.id), notFound(created.id));
    assert.deepEqual(await t.store.get(created.id), created);
    assert.deepEqual(t.events(), ["request.created"]);
  });
});

describe("RequestService visibility", () => {
  it("shows a request to its requester, its approvers and admins; NotFound to anyone else", async () => {
    const t = setup();
    const created = await t.service.create(dev, editAsk);
    for (const viewer of [dev, sre1, admin]) {
      assert.deepEqual(await t.service.get(viewer, created.id), created);
    }
    await assert.rejects(t.service.get(eve, created.id), notFound(created.id));
    await assert.rejects(t.service.get(dev, "no-such-id"), notFound("no-such-id"));
  });

  it("lists one's own requests, and for review the pending ones one may decide", async () => {
    const t = setup();
    const mine = await t.service.create(dev, editAsk);
    t.clock.advance(1);
    const theirs = await t.service.create(devSre, editAsk);
    t.clock.advance(1);
    const denied = await t.service.create(dev, viewAsk);
    await t.service.deny(sre1, denied.id);
    const ids = (requests: AccessRequest[]) => requests.map((r) => r.id);

    assert.deepEqual(ids(await t.service.list(dev, "mine")), [denied.id, mine.id]); // newest first
    assert.deepEqual(ids(await t.service.list(dev, "mine", "pending")), [mine.id]);
    assert.deepEqual(ids(await t.service.list(sre1, "review")), [theirs.id, mine.id]);
    // devSre reviews others' requests, never their own.
    assert.deepEqual(ids(await t.service.list(devSre, "review")), [mine.id]);
    assert.deepEqual(ids(await t.service.list(devSre, "all")), [theirs.id, mine.id]);
    assert.deepEqual(await t.service.list(eve, "all"), []);
  });
});

describe("RequestService and the audit trail", () => {
  it("completes a transition even when its lifecycle event cannot be recorded", async () => {
    const failing = new RecordingLifecycle();
    failing.publish = async (_event: LifecycleEvent) => {
      throw new Error("audit is down");
    };
    const t = setup(failing);
    const created = await t.service.create(dev, editAsk);
    const approved = await t.service.approve(sre1, created.id);
    assert.equal(approved.state, "approved");
    assert.equal(t.grants.inputs.length, 1);
    assert.deepEqual(t.notified(), ["request.created", "request.approved"]);
  });
});
