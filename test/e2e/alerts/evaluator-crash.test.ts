import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { rootCertificates } from "node:tls";
import { Agent, setGlobalDispatcher } from "undici";
import { alertLogKeys } from "../../../src/alerts/alert-log-keys.ts";
import { auditKeys } from "../../../src/audit/audit-keys.ts";
import { toStreamFields } from "../../../src/audit/record-fields.ts";
import { type OidcProviderHarness, startOidcProvider } from "../../../tools/dev-idp/oidc-provider.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import { makeServerTls } from "../../../tools/tls/server-tls.ts";
import { alertGroupsReady } from "../../support/alert-fixtures.ts";
import { requestRecord, waitFor } from "../../support/audit-fixtures.ts";
import { readAudit } from "../../support/audit-log.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../../support/webhook-receiver.ts";
import { type Replica, startReplicas } from "../replicas/replica-set.ts";

const RECORDS = 300;

/**
 * The broker process evaluating the rules is killed (SIGKILL) in the middle of a stream of
 * records; another takes over once the dead one's lease runs out. Every record that should
 * fire fires exactly once into the alert log, and reaches the webhook.
 */
describe("an evaluating broker killed mid-stream", { timeout: 120_000 }, () => {
  let dir: string;
  let redis: RedisHarness;
  let standIn: StandIn;
  let idp: OidcProviderHarness;
  let hooks: WebhookReceiver;
  const replicas: Replica[] = [];
  let start: () => Promise<Replica>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kb-alert-crash-"));
    redis = await startRedis();
    standIn = await startStandIn();
    standIn.store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "kube-broker-grants" } });
    const adminKubeconfig = join(dir, "admin.kubeconfig");
    await standIn.writeKubeconfig(adminKubeconfig);
    const tls = await makeServerTls();
    const [certFile, keyFile, caFile] = ["broker.crt", "broker.key", "ca.crt"].map((f) => join(dir, f));
    await writeFile(certFile!, tls.cert);
    await writeFile(keyFile!, tls.key, { mode: 0o600 });
    await writeFile(caFile!, tls.caCert);
    setGlobalDispatcher(new Agent({ connect: { ca: [...rootCertificates, tls.caCert, standIn.caCert] } }));
    idp = await startOidcProvider({ redirectUris: [] });
    hooks = await startWebhookReceiver();
    let started = 0;
    start = async () => {
      const replicaDir = join(dir, String(++started));
      await mkdir(replicaDir);
      const [replica] = await startReplicas({
        dir: replicaDir,
        count: 1,
        env: { ...process.env, KB_TEST_OIDC_SECRET: idp.web.clientSecret },
        configFor: (listen) => ({
          server: { listen, publicUrl: `https://${listen}`, tls: { certFile, keyFile }, caFile },
          redis: { url: redis.url, keyPrefix: redis.keyPrefix },
          oidc: { issuer: idp.issuer, clientId: idp.web.clientId, clientSecretEnv: "KB_TEST_OIDC_SECRET" },
          clusters: [{ name: "test", auth: { kind: "kubeconfig", file: adminKubeconfig } }],
          roles: [{ name: "view", clusterRole: "view", maxTtl: "8h" }],
          audit: { mode: "fail-closed", spool: { path: join(dir, `spool-${listen.split(":")[1]}.jsonl`) } },
          alerts: { sensitiveNamespaces: ["prod-*"], defaults: { "new-source-ip": { enabled: false } } },
          notifications: {
            webhooks: [{ name: "security", url: hooks.url, events: ["alert.fired"] }],
            // Deliveries the dead replica held are taken over after this long.
            claimAfter: "5s",
          },
        }),
      });
      replicas.push(replica!);
      return replica!;
    };
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await Promise.all([idp?.close(), standIn?.close(), redis?.close(), hooks?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("loses no alert and fires none twice", async () => {
    const first = await start();
    const client = redis.client();
    await alertGroupsReady(client, redis.keyPrefix);
    const [log] = auditKeys(redis.keyPrefix, 1).shards.map((s) => s.log);
    const alertLog = alertLogKeys(redis.keyPrefix).log;
    const records = Array.from({ length: RECORDS }, (_, i) =>
      requestRecord({ verb: "create", resource: "pods", subresource: "exec", namespace: `prod-${i}` }),
    );
    // Records arrive as the gateway writes them: a steady stream, not one batch.
    const writing = (async () => {
      for (const record of records) {
        await client.xadd(log!, "*", ...toStreamFields(record));
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await waitFor(async () => (await client.xlen(alertLog)) >= 40, 20_000);
    await first.kill();
    const fewerThanAll = await client.xlen(alertLog);
    assert.ok(fewerThanAll < RECORDS, "killed mid-stream");
    await start();
    await writing;
    await waitFor(async () => (await client.xlen(alertLog)) >= RECORDS, 40_000);
    // Time for a wrong second firing to show.
    await new Promise((r) => setTimeout(r, 1000));
    const fired = (await client.xrange(alertLog, "-", "+")).map(([, fields]) => JSON.parse(fields[1]!));
    assert.equal(fired.length, RECORDS, "one alert per record, none twice");
    assert.deepEqual(new Set(fired.map((a) => a.record.id)), new Set(records.map((r) => r.id)));

    // Every alert reached the webhook.
    const delivered = () => new Set(hooks.received.map((b) => (b.alert as { id: string }).id));
    await waitFor(() => delivered().size >= RECORDS, 40_000);
    assert.deepEqual(delivered(), new Set(fired.map((a) => a.id)));
    // A delivery under way when the process died may arrive twice, with the same alert id (at
    // least once, as every webhook delivery is): only those the dead process had in flight.
    const repeats = hooks.received.length - RECORDS;
    assert.ok(repeats <= 5, `${repeats} webhook deliveries repeated after the crash`);
    // And the audit trail holds each alert as an alert.fired record.
    const firedRecords = (await readAudit(redis)).filter(
      (e) => e.type === "lifecycle" && e.event === "alert.fired",
    );
    const recordedIds = new Set(firedRecords.map((e) => JSON.parse((e as { detail: string }).detail).id));
    assert.equal(recordedIds.size, RECORDS);
  });
});
