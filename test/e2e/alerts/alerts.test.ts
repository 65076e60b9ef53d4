import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LoggedAlert } from "../../../src/alerts/index.ts";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { type AlertmanagerHarness, startAlertmanager } from "../../support/alertmanager.ts";
import { waitFor } from "../../support/audit-fixtures.ts";
import { bearer } from "../../support/login.ts";
import { STANDING_EDIT, type Stack, startStack } from "../../support/stack.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../../support/webhook-receiver.ts";

/**
 * Alerts as a platform team meets them: real kubectl through the gateway, the broker's rules
 * over its own audit trail, and a real Alertmanager (Debian's) and webhook receiving them.
 */
describe("alerts end to end", () => {
  let stack: Stack;
  let kubectl: KubectlSandbox;
  let alertmanager: AlertmanagerHarness;
  let amReceiver: WebhookReceiver;
  let hooks: WebhookReceiver;
  let admin: string;

  before(async () => {
    amReceiver = await startWebhookReceiver();
    hooks = await startWebhookReceiver();
    alertmanager = await startAlertmanager({ webhookUrl: amReceiver.url });
    stack = await startStack({
      config: () => ({
        ...STANDING_EDIT(),
        alerts: {
          sensitiveNamespaces: ["team-a"],
          alertmanagers: [{ name: "am", url: alertmanager.url }],
          defaults: { "new-source-ip": { enabled: false } },
          rules: [
            {
              name: "cut-exec-in-team-b",
              severity: "critical",
              description: "No one opens a shell in team-b: the session is cut and the grant ended",
              match: { subresource: "exec", namespace: "team-b" },
              action: "revoke-grant",
            },
          ],
        },
        notifications: { webhooks: [{ name: "security", url: hooks.url, events: ["alert.fired"] }] },
      }),
    });
    kubectl = await kubectlSandbox();
    admin = await stack.login("admin");
  });
  after(async () => {
    await kubectl?.cleanup();
    await stack?.close();
    await alertmanager?.close();
    await amReceiver?.close();
    await hooks?.close();
  });

  const listAlerts = async (query: string): Promise<LoggedAlert[]> => {
    const res = await fetch(`${stack.url}/v1/alerts?${query}`, { headers: bearer(admin) });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { items: LoggedAlert[] }).items;
  };

  it("an exec into a pod of a sensitive namespace reaches Alertmanager within 2 s, with its labels", async () => {
    const session = await stack.login("dev");
    const { token } = await stack.credential(session, { role: "edit", namespace: "team-a" });
    const kubeconfig = await stack.gatewayKubeconfig("exec-a", token, "team-a");
    const exec = kubectl.run(kubeconfig, ["exec", "web-1", "--", "echo", "hello"]);
    let seenAt = 0;
    await waitFor(async () => {
      const found = (await alertmanager.alerts()).some(
        (a) => a.labels.alertname === "exec-in-sensitive-namespace",
      );
      if (found) seenAt = Date.now();
      return found;
    }, 10_000);
    assert.equal((await exec).code, 0);
    const [alert] = (await alertmanager.alerts()).filter(
      (a) => a.labels.alertname === "exec-in-sensitive-namespace",
    );
    // From the request reaching the gateway (its record's time, the alert's startsAt) to
    // Alertmanager holding the alert: kubectl's own start-up is not the broker's to count.
    const delay = seenAt - Date.parse(alert!.startsAt);
    assert.ok(
      delay <= 2000,
      `the alert reached Alertmanager ${delay} ms after the request reached the gateway`,
    );
    assert.deepEqual(alert!.labels, {
      alertname: "exec-in-sensitive-namespace",
      severity: "critical",
      cluster: "test",
      namespace: "team-a",
      user: "dev@example.com",
    });
    assert.match(alert!.annotations.kubectl_command ?? "", /kubectl exec/);
    assert.match(alert!.annotations.link ?? "", new RegExp(`^${stack.url}/v1/alerts/`));
    // The same alert is listed by the API, once (start and end records share an alert id).
    const listed = await listAlerts("rule=exec-in-sensitive-namespace");
    assert.equal(listed.length, 1);
    const byId = await fetch(alert!.annotations.link!, { headers: bearer(admin) });
    assert.equal(byId.status, 200);
    // And the webhook that asked for alerts has it.
    await hooks.waitFor(
      (body) => (body.alert as { rule?: string } | undefined)?.rule === "exec-in-sensitive-namespace",
    );
  });

  it("a burst of refusals fires once, not once per refusal", async () => {
    const session = await stack.login("dev");
    const { token } = await stack.credential(session, { role: "view", namespace: "team-a" });
    for (let i = 0; i < 30; i++) {
      // Outside the grant's namespace: the broker refuses each one.
      const res = await fetch(`${stack.url}/clusters/test/api/v1/namespaces/payments/secrets`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 403);
      await res.arrayBuffer();
    }
    await waitFor(async () => (await listAlerts("rule=refusal-burst")).length > 0, 10_000);
    // Time for any wrong second firing to arrive.
    await new Promise((r) => setTimeout(r, 1500));
    const bursts = await listAlerts("rule=refusal-burst");
    assert.equal(bursts.length, 1);
    assert.equal(bursts[0]!.group?.count, 20);
    const messages = hooks.received.filter(
      (b) => (b.alert as { rule?: string } | undefined)?.rule === "refusal-burst",
    );
    assert.equal(messages.length, 1, "the webhook got one message for the burst");
    const inAm = (await alertmanager.alerts()).filter((a) => a.labels.alertname === "refusal-burst");
    assert.equal(inAm.length, 1);
  });

  it("a revoke-grant rule cuts an open kubectl exec and ends its grant", async () => {
    const session = await stack.login("dev");
    const { token, grant } = await stack.credential(session, { role: "edit", namespace: "team-b" });
    const kubeconfig = await stack.gatewayKubeconfig("exec-b", token, "team-b");
    const started = Date.now();
    const exec = kubectl.start(kubeconfig, ["exec", "api-1", "--", "sleep", "60"]);
    const ended = await new Promise<number>((resolve) =>
      exec.process.once("exit", () => resolve(Date.now())),
    );
    assert.ok(ended - started < 5000, `exec ran ${ended - started} ms before it was cut`);
    const res = await fetch(`${stack.url}/v1/grants/${grant.id}`, { headers: bearer(session) });
    const view = (await res.json()) as { state: string; endDetail?: string; endReason?: string };
    assert.equal(view.state, "ended");
    const [fired] = await listAlerts("rule=cut-exec-in-team-b");
    assert.deepEqual(fired!.action, { kind: "revoke-grant", dryRun: false });
    // The action is in the audit trail with the rule as its actor.
    const actions = await fetch(`${stack.url}/v1/audit?type=lifecycle&since=5m&limit=1000`, {
      headers: bearer(admin),
    });
    const records = ((await actions.json()) as { items: { event: string; detail: string }[] }).items;
    assert.ok(
      records.some((r) => r.event === "alert.action" && r.detail.includes("cut-exec-in-team-b")),
      "an alert.action record names the rule",
    );
  });

  it("people see only the alerts about themselves; bad queries are refused and change nothing", async () => {
    const other = await stack.login("approver");
    const mine = await fetch(`${stack.url}/v1/alerts`, { headers: bearer(other) });
    assert.equal(mine.status, 200);
    assert.deepEqual(((await mine.json()) as { items: unknown[] }).items, []);
    const theirs = await fetch(`${stack.url}/v1/alerts?user=dev@example.com`, { headers: bearer(other) });
    assert.equal(theirs.status, 403);
    assert.equal(((await theirs.json()) as { kind: string }).kind, "Status");
    for (const query of ["severity=loud", "limit=0", "cursor=x", "since=yesterday", "colour=red"]) {
      const res = await fetch(`${stack.url}/v1/alerts?${query}`, { headers: bearer(admin) });
      assert.equal(res.status, 422, query);
      assert.equal(((await res.json()) as { kind: string }).kind, "Status");
    }
    const missing = await fetch(`${stack.url}/v1/alerts/nope`, { headers: bearer(admin) });
    assert.equal(missing.status, 404);
  });
});
