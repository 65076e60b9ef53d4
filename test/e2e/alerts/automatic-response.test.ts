import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Registry } from "prom-client";
import type { Alert } from "../../../src/alerts/alert-rule.ts";
import { createAlertResponder } from "../../../src/alerts/response/alert-responder-service.ts";
import { connectCluster, KubernetesCluster } from "../../../src/cluster/index.ts";
import { createGrants, type Grants } from "../../../src/grants/index.ts";
import { SessionService } from "../../../src/identity/session-service.ts";
import { SessionStore } from "../../../src/identity/session-store.ts";
import { silentLogger } from "../../../src/shared/logger.ts";
import { exitCode, type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { requestRecord } from "../../support/audit-fixtures.ts";
import { RecordingLifecycle } from "../../support/fakes/recording-lifecycle.ts";
import { bearer } from "../../support/login.ts";
import { STANDING_EDIT, type Stack, startStack } from "../../support/stack.ts";

/**
 * Alert rules' actions against a running broker: the responder runs in this process as a
 * second replica would (the grants and identity features over the same Redis and cluster),
 * and the broker's gateway and credentials API react as they do to any replica's change.
 */
describe("automatic response to alerts", () => {
  let stack: Stack;
  let kubectl: KubectlSandbox;
  let grants: Grants;
  let lifecycle: RecordingLifecycle;
  let respond: (
    alert: Alert & { action: NonNullable<Alert["action"]> },
  ) => ReturnType<ReturnType<typeof createAlertResponder>["respond"]>;

  before(async () => {
    stack = await startStack({ config: STANDING_EDIT });
    kubectl = await kubectlSandbox();
    lifecycle = new RecordingLifecycle();
    const { config, clock } = stack;
    const cluster = config.clusters[0]!;
    const redis = stack.redis.client();
    const logger = silentLogger();
    grants = createGrants({
      config,
      clusters: new Map([
        [
          cluster.name,
          {
            config: cluster,
            api: new KubernetesCluster({ name: cluster.name, connection: connectCluster(cluster) }),
          },
        ],
      ]),
      redis,
      replica: "responder",
      clock,
      lifecycle,
      history: { objectsCreatedBy: async () => [] },
      logger,
      metrics: new Registry(),
    });
    const sessions = new SessionService({
      store: new SessionStore({ redis, keyPrefix: config.redis.keyPrefix }),
      providers: {} as never,
      clock,
      lifecycle,
      logger,
    });
    const responder = createAlertResponder({ grants, sessions, standing: grants, lifecycle, clock, logger });
    respond = (alert) => responder.respond(alert);
  });
  after(async () => {
    await kubectl?.cleanup();
    await stack?.close();
  });

  const exited = exitCode;
  const alert = (
    kind: NonNullable<Alert["action"]>["kind"],
    grant: string,
    rule = "exec-in-prod",
  ): Alert & { action: NonNullable<Alert["action"]> } => {
    const record = requestRecord({ user: "dev@example.com", cluster: "test", grant, verb: "create" });
    return {
      id: `${rule}-${grant}`,
      rule,
      severity: "critical",
      description: "a shell in production",
      at: record.ts,
      record,
      action: { kind, dryRun: false },
    };
  };

  it("revoke-grant cuts the grant's open watch and exec, saying the rule revoked it", async () => {
    const session = await stack.login("dev");
    const { token, grant } = await stack.credential(session, { role: "edit", namespace: "team-b" });
    const kubeconfig = await stack.gatewayKubeconfig("revoked-by-rule", token, "team-b");
    const watch = kubectl.start(kubeconfig, ["get", "pods", "-w"]);
    const exec = kubectl.start(kubeconfig, ["exec", "api-1", "--", "sleep", "60"]);
    await watch.waitFor("api-1");
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(exec.process.exitCode, null, "exec is running");

    const dry = await respond({
      ...alert("revoke-grant", grant.id),
      action: { kind: "revoke-grant", dryRun: true },
    });
    assert.equal(dry.outcome, "would");
    assert.equal(watch.process.exitCode, null, "a dry run cuts nothing");

    const response = await respond(alert("revoke-grant", grant.id));
    assert.equal(response.outcome, "done", response.detail);
    const reason = new RegExp(
      `grant ${grant.id} was revoked by alert rule exec-in-prod; ask for access again`,
    );
    const [watchCode, execCode] = await Promise.all([exited(watch), exited(exec)]);
    assert.equal(watchCode, 0);
    assert.match(watch.output(), new RegExp(`Failure\\s+Forbidden\\s+${reason.source}`));
    assert.notEqual(execCode, 0);
    assert.match(exec.errors(), new RegExp(`^error: ${reason.source}`));
    assert.equal((await kubectl.run(kubeconfig, ["get", "pods"])).code === 0, false, "the token is dead");
    assert.equal((await respond(alert("revoke-grant", grant.id))).outcome, "nothing-to-do");
  });

  it("require-approval ends standing access at once and refuses it until an admin lifts it", async () => {
    const session = await stack.login("dev");
    const standing = await stack.credential(session, { role: "view", namespace: "team-a" });
    const kubeconfig = await stack.gatewayKubeconfig("suspended", standing.token, "team-a");
    const watch = kubectl.start(kubeconfig, ["get", "pods", "-w"]);
    await watch.waitFor("web-1");

    const response = await respond(alert("require-approval", standing.grant.id, "secret-sweep"));
    assert.equal(response.outcome, "done", response.detail);
    assert.equal(await exited(watch), 0);
    assert.match(watch.output(), /revoked by alert rule secret-sweep \(standing access to test suspended\)/);

    await assert.rejects(stack.credential(session, { role: "view", namespace: "team-a" }), (err: Error) => {
      const status = JSON.parse(err.message.replace(/^credential: 403 /, "")) as Record<string, unknown>;
      assert.equal(status.kind, "Status");
      assert.equal(status.code, 403);
      assert.match(
        String(status.message),
        /^your standing access to cluster "test" was suspended by alert rule secret-sweep at .*kubectl broker request --cluster test.*kubectl broker suspensions lift dev@example\.com --cluster test/,
      );
      return true;
    });

    const lift = (as: string) =>
      fetch(`${stack.url}/v1/suspensions/test/dev%40example.com`, { method: "DELETE", headers: bearer(as) });
    const listed = await fetch(`${stack.url}/v1/suspensions`, { headers: bearer(session) });
    assert.equal(((await listed.json()) as { items: unknown[] }).items.length, 1, "a person sees their own");
    const refused = await lift(session);
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { kind: string }).kind, "Status");
    const admin = await stack.login("admin");
    assert.equal((await lift(admin)).status, 200);
    const back = await stack.credential(session, { role: "view", namespace: "team-a" });
    assert.notEqual(back.grant.id, standing.grant.id, "a new standing grant");
    assert.equal((await lift(admin)).status, 404, "nothing left to lift");
  });

  it("end-session signs the person out everywhere; their grants stay", async () => {
    const session = await stack.login("dev");
    const { grant } = await stack.credential(session, { role: "edit", namespace: "team-a" });
    const whoami = () => fetch(`${stack.url}/v1/whoami`, { headers: bearer(session) }).then((r) => r.status);
    assert.equal(await whoami(), 200);
    const response = await respond(alert("end-session", grant.id));
    assert.equal(response.outcome, "done", response.detail);
    assert.equal(await whoami(), 401);
    assert.equal((await grants.findById(grant.id))?.state, "active");
    const recorded = lifecycle.named("alert.action").at(-1);
    assert.match(
      recorded?.detail ?? "",
      /^alert rule exec-in-prod: ended \d+ broker session\(s\) of dev@example\.com \(dry run: no\)$/,
    );
  });
});
