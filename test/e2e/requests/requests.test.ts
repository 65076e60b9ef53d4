import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RedisGrantStore } from "../../../src/grants/redis-grant-store.ts";
import { readAudit } from "../../support/audit-log.ts";
import { waitFor } from "../../support/grants.ts";
import { callApi } from "../../support/login.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../../support/webhook-receiver.ts";

interface RequestBody {
  id: string;
  state: string;
  grantId?: string;
  approvals: { by: string; automatic?: boolean }[];
  message?: string;
  code?: number;
}

describe("just-in-time access requests", () => {
  let stack: Stack;
  let hooks: WebhookReceiver;
  let slack: WebhookReceiver;
  const sessions: Record<string, string> = {};

  before(async () => {
    hooks = await startWebhookReceiver();
    slack = await startWebhookReceiver();
    stack = await startStack({
      config: () => ({
        roles: [
          { name: "view", clusterRole: "view", maxTtl: "8h" },
          { name: "edit", clusterRole: "edit", maxTtl: "4h" },
          { name: "admin", clusterRole: "admin", maxTtl: "1h" },
        ],
        policies: {
          standing: [{ subjects: { groups: ["developers"] }, roles: ["view"], namespaces: ["team-*"] }],
          requests: [
            {
              subjects: { groups: ["developers"] },
              roles: ["edit"],
              namespaces: ["team-*", "payments"],
              maxDuration: "2h",
              approvers: { groups: ["sre"] },
              autoApprove: { groups: ["oncall"] },
            },
            {
              subjects: { groups: ["developers"] },
              roles: ["admin"],
              namespaces: ["payments"],
              maxDuration: "1h",
              approvers: { groups: ["sre"] },
              approvals: 2,
            },
            {
              subjects: { groups: ["developers"] },
              roles: ["view"],
              namespaces: ["payments"],
              approvers: { groups: ["sre"] },
              pendingTtl: "5m",
              reasonRequired: false,
            },
          ],
        },
        notifications: {
          webhooks: [
            { name: "json", url: hooks.url },
            { name: "chat", url: slack.url, format: "slack", events: ["request.created"] },
          ],
          initialBackoff: "1s",
        },
      }),
    });
    for (const user of ["dev", "approver", "sre2", "admin", "oncall"])
      sessions[user] = await stack.login(user);
  });
  after(async () => {
    await stack?.close();
    await hooks?.close();
    await slack?.close();
  });

  const api = (user: string, method: string, path: string, body?: unknown) =>
    callApi<RequestBody>(stack.url, sessions[user]!, method, path, body);
  const ask = (user: string, body: Record<string, unknown>) =>
    api(user, "POST", "/requests", {
      cluster: "test",
      role: "edit",
      namespace: "team-b",
      duration: "30m",
      reason: "INC-4411",
      ...body,
    });

  it("request → approve → the requester's token works → at the deadline it stops and the objects are gone", async () => {
    const created = await ask("dev", {});
    assert.equal(created.status, 201);
    assert.equal(created.body.state, "pending");
    const told = await hooks.waitFor(
      (b) => b.event === "request.created" && (b.request as RequestBody).id === created.body.id,
    );
    const link = `${stack.url}/ui/requests/${created.body.id}`;
    assert.equal(told.link, link, "the JSON body links to the request's console page");
    const chat = await slack.waitFor((b) => String(b.text).includes(created.body.id));
    assert.match(String(chat.text), /dev@example.com requests edit in team-b on test for 30m: "INC-4411"/);
    assert.ok(String(chat.text).endsWith(` ${link}`), "the chat line ends with the console link");

    const approved = await api("approver", "POST", `/requests/${created.body.id}/approve`, {
      comment: "go ahead",
    });
    assert.equal(approved.status, 200);
    assert.equal(approved.body.state, "approved");
    assert.ok(approved.body.grantId);

    const { token, grant } = await stack.credential(sessions.dev!, { role: "edit", namespace: "team-b" });
    assert.equal(grant.id, approved.body.grantId, "the approved grant is the one used");
    const create = await fetch(`${stack.url}/clusters/test/api/v1/namespaces/team-b/configmaps`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "jit-made" } }),
    });
    assert.equal(create.status, 201);

    const store = new RedisGrantStore({ redis: stack.redis.client(), keyPrefix: stack.redis.keyPrefix });
    stack.clock.jumpTo((await store.get(grant.id))!.expiresAt, 300);
    const ended = await waitFor(async () => {
      const g = await store.get(grant.id);
      return g?.state === "ended" ? g : undefined;
    }, 4000);
    assert.equal(ended?.endReason, "expired");
    const after = await fetch(`${stack.url}/clusters/test/api/v1/namespaces/team-b/configmaps`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(after.status, 401);
    assert.equal(
      stack.standIn.store.find("serviceaccounts", {
        namespace: "kube-broker-grants",
        name: ended!.serviceAccount.name,
      }),
      undefined,
    );
    await hooks.waitFor(
      (b) => b.event === "grant.ended" && (b.request as RequestBody).id === created.body.id,
    );

    const events = (await readAudit(stack.redis)).filter(
      (e) => e.type === "lifecycle" && (e as { request: string }).request === created.body.id,
    );
    assert.deepEqual(
      events.map((e) => (e as { event: string }).event),
      ["request.created", "grant.started", "request.approved", "token.issued", "grant.ended"],
    );
  });

  it("refuses self-approval and approvers outside the allowed groups", async () => {
    const created = await ask("dev", { namespace: "team-c" });
    const self = await api("dev", "POST", `/requests/${created.body.id}/approve`, {});
    assert.equal(self.status, 403);
    assert.match(self.body.message!, /cannot approve your own request/);
    const outsider = await api("admin", "POST", `/requests/${created.body.id}/approve`, {});
    assert.equal(outsider.status, 403);
    assert.match(outsider.body.message!, /not an approver/);
    assert.equal(
      (await api("dev", "GET", `/requests/${created.body.id}`)).body.state,
      "pending",
      "nothing changed",
    );
  });

  it("two approvals needed: the same approver twice counts once, the grant comes with the second person", async () => {
    const created = await ask("dev", { role: "admin", namespace: "payments" });
    const first = await api("approver", "POST", `/requests/${created.body.id}/approve`, {});
    assert.equal(first.body.state, "pending");
    const again = await api("approver", "POST", `/requests/${created.body.id}/approve`, {});
    assert.equal(again.status, 409);
    assert.match(again.body.message!, /already approved/);
    assert.equal((await api("dev", "GET", `/requests/${created.body.id}`)).body.approvals.length, 1);
    const second = await api("sre2", "POST", `/requests/${created.body.id}/approve`, {});
    assert.equal(second.body.state, "approved");
    assert.ok(second.body.grantId);
  });

  it("ten concurrent approvals produce exactly one grant", async () => {
    const created = await ask("dev", { namespace: "team-a" });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api(i % 2 ? "approver" : "sre2", "POST", `/requests/${created.body.id}/approve`, {}),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    assert.equal(ok.length, 1, JSON.stringify(results.map((r) => [r.status, r.body.message])));
    for (const r of results.filter((r) => r.status !== 200)) assert.equal(r.status, 409);
    const grants = (
      await new RedisGrantStore({ redis: stack.redis.client(), keyPrefix: stack.redis.keyPrefix }).listAll()
    ).filter((g) => g.requestId === created.body.id);
    assert.equal(grants.length, 1);
  });

  it("a pending request expires at its own TTL and can no longer be approved", async () => {
    const created = await api("dev", "POST", "/requests", {
      cluster: "test",
      role: "view",
      namespace: "payments",
      duration: "1h",
    });
    assert.equal(created.status, 201);
    stack.clock.jump(5 * 60_000);
    await hooks.waitFor(
      (b) => b.event === "request.expired" && (b.request as RequestBody).id === created.body.id,
      3000,
    );
    const late = await api("approver", "POST", `/requests/${created.body.id}/approve`, {});
    assert.equal(late.status, 409);
    assert.match(late.body.message!, /expired/);
  });

  it("approves at once for the on-call group, recorded as automatic", async () => {
    const created = await ask("oncall", { namespace: "payments" });
    assert.equal(created.status, 201);
    assert.equal(created.body.state, "approved");
    assert.deepEqual(
      created.body.approvals.map((a) => a.automatic),
      [true],
    );
    assert.ok(created.body.grantId);
  });

  it("denies with a comment, and a denied request cannot be approved", async () => {
    const created = await ask("dev", { namespace: "team-e" });
    const denied = await api("approver", "POST", `/requests/${created.body.id}/deny`, {
      comment: "use staging",
    });
    assert.equal(denied.body.state, "denied");
    await hooks.waitFor(
      (b) => b.event === "request.denied" && (b.request as RequestBody).id === created.body.id,
    );
    const approve = await api("sre2", "POST", `/requests/${created.body.id}/approve`, {});
    assert.equal(approve.status, 409);
    assert.equal((await api("dev", "GET", `/requests/${created.body.id}`)).body.state, "denied");
  });

  it("refuses bad input with a Status and changes nothing", async () => {
    const before = (await api("dev", "GET", "/requests?scope=mine")).body as unknown as { items: unknown[] };
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ role: "god" }, 422, /role "god" does not exist/],
      [{ duration: "3h" }, 422, /exceeds the maximum of 2h/],
      [{ reason: "" }, 422, /a reason is required/],
      [{ duration: "soon" }, 422, /duration/],
      [{ namespace: "Bad_NS" }, 422, /not a valid namespace/],
    ];
    for (const [body, code, message] of cases) {
      const res = await ask("dev", body);
      assert.equal(res.status, code, JSON.stringify(body));
      assert.match(res.body.message!, message);
    }
    const missing = await api("approver", "POST", "/requests/nosuchid/approve", {});
    assert.equal(missing.status, 404);
    const after = (await api("dev", "GET", "/requests?scope=mine")).body as unknown as { items: unknown[] };
    assert.equal(after.items.length, before.items.length);
  });

  it("a webhook that fails twice then succeeds gets the notification once", async () => {
    const attemptsBefore = hooks.attempts;
    hooks.failNext(2);
    const created = await ask("dev", { namespace: "team-f" });
    await hooks.waitFor(
      (b) => b.event === "request.created" && (b.request as RequestBody).id === created.body.id,
      8000,
    );
    assert.equal(
      hooks.received.filter(
        (b) => b.event === "request.created" && (b.request as RequestBody).id === created.body.id,
      ).length,
      1,
    );
    assert.equal(hooks.attempts - attemptsBefore, 3);
  });

  it("lists mine and those I may review", async () => {
    const mine = (await api("dev", "GET", "/requests?scope=mine")).body as unknown as {
      items: RequestBody[];
    };
    assert.ok(mine.items.length >= 5);
    const review = (await api("approver", "GET", "/requests?scope=review&state=pending")).body as unknown as {
      items: RequestBody[];
    };
    assert.ok(review.items.every((r) => r.state === "pending"));
    const outsider = (await api("admin", "GET", "/requests?scope=review")).body as unknown as {
      items: RequestBody[];
    };
    assert.equal(outsider.items.length, 0);
  });
});
