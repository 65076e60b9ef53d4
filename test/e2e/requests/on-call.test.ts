import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { freePort } from "../../../tools/free-port.ts";
import { readAudit } from "../../support/audit-log.ts";
import { waitFor } from "../../support/grants.ts";
import { callApi } from "../../support/login.ts";
import { type IcsServer, rotationAround, startIcsServer } from "../../support/oncall-feed.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../../support/webhook-receiver.ts";

interface RequestBody {
  id: string;
  state: string;
  grantId?: string;
  approvals: { by: string; at: string; automatic?: boolean; onCall?: boolean; comment?: string }[];
  onCall?: { schedule: string; people: string[]; stale?: boolean };
  message?: string;
}

/**
 * Approvals by whoever is on call (issue 22), through the whole stack: the broker reads a real
 * .ics feed from a loopback HTTP server, where Olive (oncall@example.com) holds this week's
 * shift of a weekly America/New_York rotation and Erin an override laid over it. The rule
 * needs two approvals from sre; the person on call may approve alone, and their own requests
 * are approved at once.
 */
describe("on-call approvals", () => {
  let stack: Stack;
  let feed: IcsServer;
  let hooks: WebhookReceiver;
  let slack: WebhookReceiver;
  const sessions: Record<string, string> = {};

  before(async () => {
    feed = await startIcsServer(
      rotationAround(Date.now(), {
        primary: "oncall@example.com",
        next: "sre2@example.com",
        override: "erin@example.com",
      }),
    );
    hooks = await startWebhookReceiver();
    slack = await startWebhookReceiver();
    const deadFeed = `http://127.0.0.1:${await freePort()}/never-there.ics`;
    stack = await startStack({
      config: () => ({
        onCall: {
          schedules: [
            { name: "sre-primary", url: feed.url, refreshInterval: "30s" },
            { name: "unreachable", url: deadFeed, timeout: "2s" },
          ],
        },
        policies: {
          standing: [],
          requests: [
            {
              subjects: { groups: ["developers"] },
              roles: ["edit"],
              namespaces: ["team-*"],
              maxDuration: "2h",
              approvers: { groups: ["sre"] },
              approvals: 2,
              onCall: { schedule: "sre-primary", approve: "alone", autoApprove: true },
            },
            {
              subjects: { groups: ["developers"] },
              roles: ["view"],
              namespaces: ["payments"],
              approvers: { groups: ["sre"] },
              reasonRequired: false,
              onCall: { schedule: "unreachable", autoApprove: true },
            },
          ],
        },
        notifications: {
          webhooks: [
            { name: "json", url: hooks.url },
            { name: "chat", url: slack.url, format: "slack", events: ["request.created"] },
          ],
        },
      }),
    });
    for (const user of ["dev", "approver", "oncall", "erin"]) sessions[user] = await stack.login(user);
  });
  after(async () => {
    await stack?.close();
    await feed?.close();
    await hooks?.close();
    await slack?.close();
  });

  const api = (user: string, method: string, path: string, body?: unknown) =>
    callApi<RequestBody>(stack.url, sessions[user]!, method, path, body);
  const ask = (user: string, body: Record<string, unknown> = {}) =>
    api(user, "POST", "/requests", {
      cluster: "test",
      role: "edit",
      namespace: "team-a",
      duration: "30m",
      reason: "INC-7",
      ...body,
    });
  const lifecycle = async (requestId: string) =>
    (await readAudit(stack.redis)).filter(
      (e) => e.type === "lifecycle" && (e as { request: string }).request === requestId,
    ) as unknown as { event: string; detail: string }[];

  it("the person on call asks: approved at once, saying why", async () => {
    const created = await ask("oncall");
    assert.equal(created.status, 201);
    assert.equal(created.body.state, "approved");
    assert.ok(created.body.grantId, "the grant is made at once");
    assert.deepEqual(created.body.onCall, {
      schedule: "sre-primary",
      people: ["erin@example.com", "oncall@example.com"],
    });
    assert.deepEqual(created.body.approvals, [
      {
        by: "on-call policy",
        at: created.body.approvals[0]!.at,
        comment: "oncall@example.com is on call in schedule sre-primary",
        automatic: true,
        onCall: true,
      },
    ]);
    const events = await lifecycle(created.body.id);
    const asked = events.find((e) => e.event === "request.created");
    assert.match(
      asked!.detail,
      /INC-7; on call in schedule sre-primary: erin@example.com, oncall@example.com$/,
    );
    const approved = events.find((e) => e.event === "request.approved");
    assert.match(
      approved!.detail,
      /approved by policy: oncall@example.com is on call in schedule sre-primary/,
    );
  });

  it("someone not on call asks: pending, and the notifications name the people on call first", async () => {
    const created = await ask("dev");
    assert.equal(created.body.state, "pending");
    const json = await hooks.waitFor(
      (b) => b.event === "request.created" && (b.request as RequestBody).id === created.body.id,
    );
    assert.deepEqual(json.onCall, {
      schedule: "sre-primary",
      people: ["erin@example.com", "oncall@example.com"],
    });
    assert.deepEqual(Object.keys(json).slice(0, 4), ["event", "ts", "text", "onCall"]);
    const chat = await slack.waitFor((b) => String(b.text).includes(created.body.id));
    assert.match(
      String(chat.text),
      /^On call \(sre-primary\): erin@example.com, oncall@example.com — dev@example.com requests edit in team-a/,
    );
  });

  it("the person on call approves alone, though the rule needs two approvals and they are not an approver", async () => {
    const created = await ask("dev", { namespace: "team-b" });
    const pendingForErin = await api("erin", "GET", "/requests?scope=review");
    assert.ok(
      (pendingForErin.body as unknown as { items: RequestBody[] }).items.some(
        (r) => r.id === created.body.id,
      ),
      "on call, Erin sees it among the requests to review",
    );
    const approved = await api("erin", "POST", `/requests/${created.body.id}/approve`, { comment: "ok" });
    assert.equal(approved.status, 200, approved.body.message);
    assert.equal(approved.body.state, "approved");
    assert.ok(approved.body.grantId);
    assert.equal(approved.body.approvals.length, 1);
    assert.equal(approved.body.approvals[0]!.onCall, true);
    const event = (await lifecycle(created.body.id)).find((e) => e.event === "request.approved");
    assert.match(event!.detail, /approved by erin@example.com, on call in schedule sre-primary/);
  });

  it("an approver who is not on call still counts one of the two approvals", async () => {
    const created = await ask("dev", { namespace: "team-c" });
    const first = await api("approver", "POST", `/requests/${created.body.id}/approve`, {});
    assert.equal(first.body.state, "pending");
  });

  it("the person on call cannot approve their own request where it is not approved at once", async () => {
    const created = await ask("oncall", { role: "view", namespace: "payments", reason: "" });
    assert.equal(created.body.state, "pending", "the unreachable schedule's rule does not auto-approve");
    const self = await api("oncall", "POST", `/requests/${created.body.id}/approve`, {});
    assert.equal(self.status, 403);
  });

  it("a schedule never read: its rule falls back to its approvers, and nothing blocks", async () => {
    const created = await ask("dev", { role: "view", namespace: "payments", reason: "" });
    assert.equal(created.status, 201);
    assert.equal(created.body.state, "pending");
    assert.equal(created.body.onCall, undefined);
    const erin = await api("erin", "POST", `/requests/${created.body.id}/approve`, {});
    assert.equal(erin.status, 404, "not on call under this rule, Erin cannot even see it");
    const approver = await api("approver", "POST", `/requests/${created.body.id}/approve`, {});
    assert.equal(approver.body.state, "approved");
  });

  it("the feed goes down and the broker restarts: the copy in Redis still says who is on call", async () => {
    feed.down();
    const hitsBefore = feed.hits;
    await stack.restartBroker();
    await waitFor(async () => (feed.hits > hitsBefore ? true : undefined), 5000);
    const metrics = await waitFor(async () => {
      const text = await (await fetch(`${stack.url}/metrics`)).text();
      return text.includes('kube_broker_oncall_schedule_stale{schedule="sre-primary"} 1') ? text : undefined;
    }, 5000);
    assert.ok(metrics, "the metrics say the schedule is stale");

    const auto = await ask("oncall", { namespace: "team-a" });
    assert.equal(auto.body.state, "approved", "still on call, still approved at once");
    assert.deepEqual(auto.body.onCall, {
      schedule: "sre-primary",
      people: ["erin@example.com", "oncall@example.com"],
      stale: true,
    });
    const created = await ask("dev", { namespace: "team-b" });
    const approved = await api("erin", "POST", `/requests/${created.body.id}/approve`, {});
    assert.equal(approved.body.state, "approved");
  });
});
