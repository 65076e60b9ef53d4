import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ReviewReport } from "../../../src/reports/index.ts";
import { type Broker, startBroker } from "../../../src/server.ts";
import { silentLogger } from "../../../src/shared/logger.ts";
import { freePort } from "../../../tools/free-port.ts";
import { bearer } from "../../support/login.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../../support/webhook-receiver.ts";
import { baseEnv, type CliEnv, oneLineFailure, runCli } from "../cli/cli-process.ts";
import { scriptedLogin } from "../cli/signed-in.ts";

const HOUR = 3_600_000;
type Delivered = { report: string; cluster: string | null; generatedAt: string; content: ReviewReport };

/**
 * `report review` from real gateway traffic and real Redis, and reports.schedule delivering
 * the review and the RBAC report once per period across two brokers sharing Redis, to real
 * webhooks (JSON and Slack) and to the file export sink.
 */
describe("the access review and scheduled reports, end to end", () => {
  let stack: Stack;
  let second: Broker;
  let json: WebhookReceiver;
  let slack: WebhookReceiver;
  let unfiltered: WebhookReceiver;
  let exportFile: string;
  let admin: string;
  let dev: string;
  let home: string;
  let env: CliEnv;
  const grants: Record<string, string> = {};
  const review = async (session: string, query = "") => {
    const res = await fetch(`${stack.url}/v1/reports/review?${query}`, { headers: bearer(session) });
    return {
      status: res.status,
      body: (await res.json()) as ReviewReport & { kind: string; message?: string },
    };
  };

  before(async () => {
    json = await startWebhookReceiver();
    slack = await startWebhookReceiver();
    unfiltered = await startWebhookReceiver();
    stack = await startStack({
      config: ({ dir }) => {
        exportFile = join(dir, "audit-export.jsonl");
        return {
          roles: [
            { name: "view", clusterRole: "view", maxTtl: "8h" },
            { name: "edit", clusterRole: "edit", maxTtl: "4h" },
            { name: "admin", clusterRole: "cluster-admin", scope: "cluster", maxTtl: "1h" },
            { name: "breakglass", clusterRole: "edit", privileged: true, maxTtl: "1h" },
          ],
          policies: {
            standing: [
              { subjects: { groups: ["developers", "sre"] }, roles: ["view"], namespaces: ["team-*"] },
              { subjects: { users: ["admin@example.com"] }, roles: ["admin"] },
              { subjects: { groups: ["oncall"] }, roles: ["breakglass"], namespaces: ["payments"] },
            ],
          },
          audit: {
            mode: "fail-closed",
            spool: { path: join(dir, "spool.jsonl") },
            export: { kind: "file", path: exportFile },
          },
          notifications: {
            webhooks: [
              { name: "siem", url: json.url, events: ["report.delivered"] },
              { name: "chat", url: slack.url, format: "slack", events: ["report.delivered"] },
              { name: "approvers", url: unfiltered.url },
            ],
          },
          reports: {
            schedule: [
              { report: "review", every: "1h" },
              { report: "rbac", every: "24h", cluster: "test" },
            ],
          },
        };
      },
    });
    // A second replica on the same Redis and clock: scheduled runs must not double.
    const port = await freePort();
    const config = { ...stack.config, server: { ...stack.config.server, listen: `127.0.0.1:${port}` } };
    second = await startBroker(config, {
      clock: stack.clock,
      logger: silentLogger(),
      env: { ...process.env, KB_TEST_OIDC_SECRET: stack.idp.web.clientSecret },
    });

    admin = await stack.login("admin");
    dev = await stack.login("dev");
    await stack.login("sre2"); // seen, covered by the view rule, never uses it
    const oncall = await stack.login("oncall");
    const view = await stack.credential(dev, { role: "view", namespace: "team-a" });
    grants.view = view.grant.id;
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${stack.url}/clusters/test/api/v1/namespaces/team-a/pods`, {
        headers: bearer(view.token),
      });
      assert.equal(res.status, 200);
    }
    grants.admin = (await stack.credential(admin, { role: "admin" })).grant.id;
    grants.breakglass = (
      await stack.credential(oncall, { role: "breakglass", namespace: "payments" })
    ).grant.id;
    // The aggregator runs behind the stream: wait until dev's use is counted.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const { body } = await review(admin);
      if (body.standingRules?.[0]?.principals.some((p) => p.user === "dev@example.com" && p.lastUsed)) break;
      assert.ok(Date.now() < deadline, `dev's use never counted: ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    home = await mkdtemp(join(tmpdir(), "kb-review-home-"));
    env = baseEnv(home);
    const login = await scriptedLogin(stack.url, env, "admin", ["--certificate-authority", stack.caFile]);
    assert.equal(login.code, 0, login.stderr);
  });
  after(async () => {
    await second?.close();
    await stack?.close();
    await Promise.all([json, slack, unfiltered].map((r) => r?.close()));
    if (home) await rm(home, { recursive: true, force: true });
  });

  it("lists each covered principal's last use, old open grants and privileged grants", async () => {
    stack.clock.jump(2 * 60_000);
    const { status, body } = await review(admin, "olderThan=1m&cluster=test");
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.kind, "ReviewReport");
    assert.equal(body.cluster, "test");
    assert.equal(body.window.since, 90 * 86400);
    assert.equal(body.unusedFor, 30 * 86400);
    assert.ok(Date.parse(body.generatedAt) >= Date.now());
    assert.match(body.coverage, /group/);
    const viewRule = body.standingRules.find((r) => r.index === 0)!;
    const byUser = Object.fromEntries(viewRule.principals.map((p) => [p.user, p]));
    assert.equal(byUser["dev@example.com"]?.unused, false);
    assert.ok(byUser["dev@example.com"]?.lastUsed);
    assert.deepEqual(byUser["sre2@example.com"], { user: "sre2@example.com", lastUsed: null, unused: true });
    assert.equal(byUser["oncall@example.com"]?.unused, true);
    assert.ok(!byUser["admin@example.com"], "admin is not in a group the view rule names");
    assert.deepEqual(body.openGrants.map((g) => g.id).sort(), Object.values(grants).sort());
    assert.ok(body.openGrants.every((g) => g.ageSeconds >= 60));
    assert.deepEqual(Object.fromEntries(body.privilegedGrants.map((g) => [g.id, g.why])), {
      [grants.admin!]: "binds cluster-admin",
      [grants.breakglass!]: "role marked privileged",
    });
    // The default threshold (7d) leaves these minutes-old grants out.
    assert.deepEqual((await review(admin)).body.openGrants, []);
  });

  it("prints a table and -o json|yaml through the CLI", async () => {
    const table = await runCli(["report", "review", "--older-than", "1m", "--server", stack.url], env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^Access review of every cluster, .*: 4 of 5 standing principals unused/);
    assert.match(table.stdout, /^0 +sre2@example\.com +view +\* +never +yes$/m);
    assert.match(table.stdout, /Privileged grants in the window:\nGRANT +USER/);
    const out = await runCli(
      ["report", "review", "-o", "json", "--unused-for", "1h", "--server", stack.url],
      env,
    );
    assert.equal(out.code, 0, out.stderr);
    assert.equal((JSON.parse(out.stdout) as ReviewReport).unusedFor, 3600);
    const yaml = await runCli(["report", "review", "-o", "yaml", "--server", stack.url], env);
    assert.match(yaml.stdout, /^kind: ReviewReport$/m);
  });

  it("is for admins only, and refuses bad input with a Status", async () => {
    const refused = await review(dev);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.kind, "Status");
    for (const [query, code] of [
      ["since=-5d", 422],
      ["since=9999y", 422],
      ["unusedFor=91d", 422],
      ["unusedFor=soon", 422],
      ["olderThan=400d", 422],
      ["olderThan=0", 422],
      ["user=dev", 422],
      ["cluster=nope", 404],
    ] as const) {
      const { status, body } = await review(admin, query);
      assert.equal(status, code, `${query}: ${JSON.stringify(body)}`);
      assert.equal(body.kind, "Status");
    }
    const cli = await runCli(["report", "review", "--since=-5d", "--server", stack.url], env);
    assert.match(oneLineFailure(cli), /query parameter "since"/);
  });

  it("delivers each scheduled report once per period across two replicas, to webhooks and the export sink", async () => {
    // Both brokers started with nothing run yet: each entry ran once at start-up.
    const isReview = (b: Record<string, unknown>) => (b.report as Delivered | undefined)?.report === "review";
    await json.waitFor(isReview);
    await json.waitFor((b) => (b.report as Delivered | undefined)?.report === "rbac");
    stack.clock.jump(HOUR);
    await json.waitFor(
      (b) =>
        isReview(b) &&
        (b.report as Delivered).generatedAt > new Date(Date.now() + HOUR - 60_000).toISOString(),
    );
    await new Promise((resolve) => setTimeout(resolve, 2500)); // room for a wrong extra run
    const delivered = json.received.map((b) => b.report as Delivered);
    assert.deepEqual(delivered.map((d) => d.report).sort(), ["rbac", "review", "review"]);
    const rbac = delivered.find((d) => d.report === "rbac")!;
    assert.equal(rbac.cluster, "test");
    assert.equal(json.received[0]!.event, "report.delivered");
    const reviewed = delivered.find((d) => d.report === "review")!;
    assert.equal(reviewed.content.kind, "ReviewReport");
    assert.equal(reviewed.cluster, null);

    assert.equal(slack.received.length, 3);
    assert.ok(slack.received.every((b) => Object.keys(b).join() === "text"));
    assert.ok(slack.received.some((b) => /^RBAC report for cluster test: \d+ critical/.test(String(b.text))));
    assert.ok(
      unfiltered.received.every((b) => b.event !== "report.delivered"),
      "opt-in only",
    );

    const deadline = Date.now() + 10_000;
    let records: { event?: string; detail: string; id: string }[] = [];
    for (;;) {
      const text = await readFile(exportFile, "utf8").catch(() => "");
      records = text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line))
        .filter((r) => r.event === "report.delivered");
      if (new Set(records.map((r) => r.id)).size >= 3 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(new Set(records.map((r) => r.id)).size, 3);
    const reports = records.map((r) => JSON.parse(r.detail) as Delivered);
    assert.deepEqual(reports.map((r) => r.report).sort(), ["rbac", "review", "review"]);
  });
});
