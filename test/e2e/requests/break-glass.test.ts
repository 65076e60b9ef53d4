import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LifecycleAuditRecord } from "../../../src/audit/record.ts";
import { RedisGrantStore } from "../../../src/grants/redis-grant-store.ts";
import type { ReviewReport } from "../../../src/reports/index.ts";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { readAudit, waitForRecord } from "../../support/audit-log.ts";
import { bearer } from "../../support/login.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../../support/webhook-receiver.ts";

interface RequestBody {
  id: string;
  state: string;
  breakGlass?: boolean;
  grantId?: string;
  reason: string;
  approvals: { by: string }[];
  message?: string;
  code?: number;
}

/**
 * Break-glass through the whole product: a request rule marked breakGlass lets on-call take
 * edit in payments at once, with a reason and no approver; the grant is of kind break-glass
 * in the cluster's annotations, its lifecycle records and every kubectl request it makes
 * through the gateway, and the review report lists it. Everyone and everything else is
 * refused with a Status, changing nothing.
 */
describe("break-glass access", () => {
  let stack: Stack;
  let hooks: WebhookReceiver;
  let kubectl: KubectlSandbox;
  let grants: RedisGrantStore;
  const sessions: Record<string, string> = {};

  before(async () => {
    hooks = await startWebhookReceiver();
    stack = await startStack({
      config: () => ({
        policies: {
          standing: [{ subjects: { groups: ["developers"] }, roles: ["view"], namespaces: ["team-*"] }],
          requests: [
            {
              subjects: { groups: ["oncall"] },
              roles: ["edit"],
              namespaces: ["payments"],
              maxDuration: "2h",
              approvers: { groups: ["sre"] },
              breakGlass: { maxDuration: "30m" },
            },
            // Developers (on-call among them) may ask for edit in team-*, with approval only.
            {
              subjects: { groups: ["developers"] },
              roles: ["edit"],
              namespaces: ["team-*"],
              approvers: { groups: ["sre"] },
            },
          ],
        },
        notifications: { webhooks: [{ name: "chat", url: hooks.url }], initialBackoff: "1s" },
      }),
    });
    kubectl = await kubectlSandbox();
    grants = new RedisGrantStore({ redis: stack.redis.client(), keyPrefix: stack.redis.keyPrefix });
    for (const user of ["oncall", "dev", "admin"]) sessions[user] = await stack.login(user);
  });
  after(async () => {
    await kubectl?.cleanup();
    await stack?.close();
    await hooks?.close();
  });

  const breakGlass = async (user: string, body: Record<string, unknown> = {}) => {
    const res = await fetch(`${stack.url}/v1/requests`, {
      method: "POST",
      headers: bearer(sessions[user]!),
      body: JSON.stringify({
        cluster: "test",
        role: "edit",
        namespace: "payments",
        duration: "20m",
        reason: "INC-9001: payments API down",
        breakGlass: true,
        ...body,
      }),
    });
    return { status: res.status, body: (await res.json()) as RequestBody };
  };
  /** What a refusal must leave as it was: requests, grants and ServiceAccounts. */
  const snapshot = async () => ({
    requests: await Promise.all(
      ["oncall", "dev"].map(async (user) => {
        const res = await fetch(`${stack.url}/v1/requests?scope=mine`, { headers: bearer(sessions[user]!) });
        return ((await res.json()) as { items: unknown[] }).items.length;
      }),
    ),
    grants: (await grants.listAll({ includeEnded: true })).length,
    serviceAccounts: stack.standIn.store.list("serviceaccounts", "kube-broker-grants").length,
  });

  it("grants a covered person access at once, recorded as break-glass everywhere it shows", async () => {
    const created = await breakGlass("oncall");
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.state, "approved");
    assert.equal(created.body.breakGlass, true);
    assert.deepEqual(
      created.body.approvals.map((a) => a.by),
      ["oncall@example.com"],
    );
    const grantId = created.body.grantId!;
    assert.ok(grantId);

    const grant = (await grants.get(grantId))!;
    assert.equal(grant.origin, "break-glass");
    assert.equal(grant.reason, "INC-9001: payments API down");
    assert.equal(grant.expiresAt - (grant.activatedAt ?? grant.createdAt) <= 20 * 60_000, true);
    const sa = stack.standIn.store.find("serviceaccounts", {
      namespace: "kube-broker-grants",
      name: grant.serviceAccount.name,
    }) as { metadata: { annotations: Record<string, string> } } | undefined;
    assert.equal(sa?.metadata.annotations["kube-broker.io/origin"], "break-glass");
    assert.equal(sa?.metadata.annotations["kube-broker.io/reason"], "INC-9001: payments API down");

    // kubectl through the gateway with the grant's token: its records say break-glass.
    const { token, grant: used } = await stack.credential(sessions.oncall!, {
      role: "edit",
      namespace: "payments",
    });
    assert.equal(used.id, grantId);
    const kubeconfig = await stack.gatewayKubeconfig("oncall", token, "payments");
    const got = await kubectl.run(kubeconfig, ["get", "configmaps"]);
    assert.equal(got.code, 0, got.stderr);
    const record = await waitForRecord(stack.redis, { grant: grantId, verb: "list", resource: "configmaps" });
    assert.equal(record.grantKind, "break-glass");
    assert.equal(record.kubectlCommand, "kubectl get");
    const starts = (await readAudit(stack.redis)).filter(
      (e) => e.type === "request" && e.phase === "start" && e.grant === grantId,
    );
    assert.ok(starts.length > 0 && starts.every((e) => e.grantKind === "break-glass"), "start records too");

    const lifecycle = (await readAudit(stack.redis)).filter(
      (e): e is LifecycleAuditRecord & { streamId: string } =>
        e.type === "lifecycle" && (e as LifecycleAuditRecord).request === created.body.id,
    );
    assert.deepEqual(
      lifecycle.map((e) => [e.event, e.grantKind]),
      [
        ["request.created", "break-glass"],
        ["grant.started", "break-glass"],
        ["request.approved", "break-glass"],
        ["token.issued", "break-glass"],
      ],
    );
    const started = lifecycle.find((e) => e.event === "grant.started")!;
    assert.equal(started.detail, "INC-9001: payments API down", "the reason is on the record");
    assert.equal(started.grant, grantId);

    const told = await hooks.waitFor(
      (b) => b.event === "request.approved" && (b.request as RequestBody).id === created.body.id,
    );
    assert.match(
      String(told.text),
      /^BREAK-GLASS: oncall@example\.com took edit in payments on test for 20m at once, with no approver: "INC-9001: payments API down"/,
    );
    assert.equal(
      hooks.received.filter((b) => b.event === "request.created").length,
      0,
      "no approver is asked",
    );

    const review = await fetch(`${stack.url}/v1/reports/review`, { headers: bearer(sessions.admin!) });
    assert.equal(review.status, 200);
    const report = (await review.json()) as ReviewReport;
    assert.deepEqual(
      report.breakGlassGrants.map((g) => [g.id, g.user, g.origin]),
      [[grantId, "oncall@example.com", "break-glass"]],
    );
    assert.equal(report.summary.breakGlassGrants, 1);
  });

  it("refuses people the rule does not cover, and rules without breakGlass, changing nothing", async () => {
    const before = await snapshot();
    assert.deepEqual(before.requests, [1, 0], "the snapshot sees the first test's request");
    const uncovered = await breakGlass("dev");
    assert.equal(uncovered.status, 403);
    assert.equal(uncovered.body.code, 403);
    assert.match(
      uncovered.body.message!,
      /^no policy lets dev@example\.com request role "edit" in namespace "payments" of cluster "test"; break-glass is only for access a request rule covers$/,
    );
    const noBreakGlass = await breakGlass("oncall", { namespace: "team-a" });
    assert.equal(noBreakGlass.status, 403);
    assert.match(
      noBreakGlass.body.message!,
      /no request policy allows break-glass for oncall@example\.com to role "edit" in namespace "team-a" of cluster "test"; ask for it with approval instead \(without --break-glass\)/,
    );
    assert.deepEqual(await snapshot(), before);
  });

  it("answers a missing reason with 422 and changes nothing", async () => {
    const before = await snapshot();
    for (const reason of [undefined, "", "   "]) {
      const res = await breakGlass("oncall", { reason });
      assert.equal(res.status, 422, JSON.stringify(reason));
      assert.equal((res.body as unknown as { kind: string }).kind, "Status");
      assert.match(res.body.message!, /break-glass access needs a reason/);
    }
    assert.deepEqual(await snapshot(), before);
  });

  it("refuses a duration past the break-glass maximum, rather than capping it", async () => {
    const before = await snapshot();
    const res = await breakGlass("oncall", { duration: "1h" });
    assert.equal(res.status, 422);
    assert.match(res.body.message!, /the duration 1h exceeds the maximum of 30m for break-glass access/);
    assert.deepEqual(await snapshot(), before);
  });
});
