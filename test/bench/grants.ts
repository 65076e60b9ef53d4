/**
 * Grant benchmark (DESIGN.md "Performance targets", issue 4): the time to provision a grant
 * (GrantService.create: Redis, then the ServiceAccount and its RoleBinding through
 * client-node) and to mint a token for an active grant (CredentialIssuer.issue: one
 * TokenRequest), stand-in round trips included, each against the same round trips sent as
 * plain HTTPS requests to the same stand-in in the same run, so the ratio is the broker's own
 * overhead. One request at a time, in one process with the stand-in (Redis runs apart).
 * Run: npx node test/bench/grants.ts   (about 20 seconds)
 */
import { availableParallelism } from "node:os";
import { gatewayAudience } from "../../src/grants/grant-cluster.ts";
import { startRedis } from "../../tools/redis/redis-server.ts";
import { kubeRequest } from "../../tools/stand-in/client.ts";
import { GRANTS_NAMESPACE, grantsFeature, grantsStandIn, viewGrant } from "../support/grants.ts";
import { ms, printResult, printTable, times } from "./support/report.ts";
import { round, type Summary, summarize } from "./support/stats.ts";

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 300);
const WARM_UP = 20;

const redis = await startRedis();
const { standIn, config, close: closeStandIn } = await grantsStandIn();
const cluster = config.clusters[0]!;
const feature = grantsFeature(config, redis);
const problems: string[] = [];
const ask = viewGrant({ reason: "benchmark" });

/** ms per call of `one(i)`, after a warm-up. */
async function timed(one: (i: number) => Promise<unknown>): Promise<Summary> {
  for (let i = 0; i < WARM_UP; i++) await one(-1 - i);
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const started = performance.now();
    await one(i);
    samples.push(performance.now() - started);
  }
  return summarize(samples);
}

/** The admin's plain HTTPS POST; Node's global agent keeps connections alive unless told to close. */
async function post(path: string, body: unknown, fresh = false) {
  const res = await kubeRequest(standIn, path, {
    method: "POST",
    token: standIn.adminToken,
    body,
    ...(fresh ? { headers: { connection: "close" } } : {}),
  });
  if (res.status !== 201 && res.status !== 200) problems.push(`POST ${path}: ${res.status}`);
}

// Baselines: the same round trips, as plain requests.
const grant = await feature.grants.create(ask);
const sa = grant.serviceAccount;
const tokenRequest = {
  apiVersion: "authentication.k8s.io/v1",
  kind: "TokenRequest",
  spec: { audiences: [gatewayAudience(cluster)], expirationSeconds: 600 },
};
const tokenPath = `/api/v1/namespaces/${sa.namespace}/serviceaccounts/${sa.name}/token`;
const rawToken = await timed(() => post(tokenPath, tokenRequest));
const rawTokenFresh = await timed(() => post(tokenPath, tokenRequest, true));
const rawObjects = await timed(async (i) => {
  const name = `kb-raw-${i + WARM_UP}`;
  await post(`/api/v1/namespaces/${GRANTS_NAMESPACE}/serviceaccounts`, { metadata: { name } });
  await post("/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings", {
    metadata: { name },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
    subjects: [{ kind: "ServiceAccount", name, namespace: GRANTS_NAMESPACE }],
  });
});

// The broker's own.
const issue = await timed(() => feature.issuer.issue(grant));
const provision = await timed(() => feature.grants.create(ask));

printTable(`grants against the API stand-in, ${ITERATIONS} times each, one at a time`, [
  { what: "raw TokenRequest (keep-alive)", p50: ms(rawToken.p50), p99: ms(rawToken.p99), ratio: "1.00×" },
  {
    what: "raw TokenRequest (new connection each)",
    p50: ms(rawTokenFresh.p50),
    p99: ms(rawTokenFresh.p99),
    ratio: times(rawTokenFresh.p50 / rawToken.p50),
  },
  {
    what: "token for an active grant",
    p50: ms(issue.p50),
    p99: ms(issue.p99),
    target: "p50 ≤ 20 ms",
    ratio: times(issue.p50 / rawToken.p50),
  },
  {
    what: "raw ServiceAccount + RoleBinding",
    p50: ms(rawObjects.p50),
    p99: ms(rawObjects.p99),
    ratio: "1.00×",
  },
  {
    what: "provision a grant",
    p50: ms(provision.p50),
    p99: ms(provision.p99),
    ratio: times(provision.p50 / rawObjects.p50),
  },
]);
console.log(`\nmachine: ${availableParallelism()} cores; the stand-in runs in this process, Redis apart`);
for (const problem of problems) console.log(`PROBLEM ${problem}`);
const pick = (s: Summary) => ({ p50: round(s.p50), p99: round(s.p99) });
printResult("grants", {
  cores: availableParallelism(),
  iterations: ITERATIONS,
  rawToken: pick(rawToken),
  rawTokenNewConnection: pick(rawTokenFresh),
  issue: pick(issue),
  rawObjects: pick(rawObjects),
  provision: pick(provision),
});
await closeStandIn();
await redis.close();
process.exit(problems.length > 0 ? 1 : 0);
