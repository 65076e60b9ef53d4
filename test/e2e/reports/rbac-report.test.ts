import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import type { RbacReport } from "../../../src/reports/index.ts";
import { countChecks, RISKY, RISKY_CHECKS, RISKY_SETUP } from "../../support/fakes/rbac-fixtures.ts";
import { bearer } from "../../support/login.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { baseEnv, type CliEnv, runCli } from "../cli/cli-process.ts";
import { scriptedLogin } from "../cli/signed-in.ts";

const counts = (report: RbacReport) => countChecks(report.findings);

/**
 * `GET /v1/reports/rbac` and `kubectl broker report rbac` against the stand-in: a fresh cluster
 * with a kube-broker grant in it has no finding; seeded with the risky fixtures, every finding
 * of docs/reports.md appears, in the API, the CLI and the Prometheus gauges.
 */
describe("the RBAC report, end to end", () => {
  let stack: Stack;
  let admin: string;
  let home: string;
  let env: CliEnv;
  const cli = (args: string[], as = env) => runCli(["report", ...args, "--server", stack.url], as);
  const report = async (session: string, query = "cluster=test") =>
    fetch(`${stack.url}/v1/reports/rbac?${query}`, { headers: bearer(session) });

  before(async () => {
    stack = await startStack();
    admin = await stack.login("admin");
    home = await mkdtemp(join(tmpdir(), "kb-report-home-"));
    env = baseEnv(home);
    const login = await scriptedLogin(stack.url, env, "admin", ["--certificate-authority", stack.caFile]);
    assert.equal(login.code, 0, login.stderr);
  });
  after(async () => {
    await stack?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it("finds nothing in a fresh cluster holding a kube-broker grant, and lists the defaults it left out", async () => {
    const dev = await stack.login("dev");
    await stack.credential(dev, { role: "view", namespace: "team-a" });
    const res = await report(admin);
    assert.equal(res.status, 200);
    const body = (await res.json()) as RbacReport;
    assert.deepEqual(body.findings, []);
    assert.deepEqual(body.skipped, []);
    assert.deepEqual(body.summary, { critical: 0, high: 0, medium: 0, drift: 0 });
    assert.ok(body.excluded.some((e) => e.binding === "ClusterRoleBinding/system:public-info-viewer"));
    const table = await cli(["rbac", "--cluster", "test"]);
    assert.equal(table.code, 0, table.stderr);
    assert.equal(table.stdout, "");
    assert.match(table.stderr, /No findings in cluster "test"\.\n0 critical, 0 high, 0 medium, 0 drift\n/);
  });

  it("finds every listed risk once the stand-in holds the risky fixtures", async () => {
    for (const object of [...RISKY_SETUP, ...RISKY]) {
      const existing =
        object.kind === "Namespace" &&
        stack.standIn.store.find("namespaces", { name: object.metadata.name! });
      if (!existing) stack.standIn.store.create(structuredClone(object) as never);
    }
    const res = await report(admin);
    assert.equal(res.status, 200);
    const body = (await res.json()) as RbacReport;
    assert.deepEqual(counts(body), RISKY_CHECKS);
    const token = body.findings.find((f) => f.check === "legacy-token")!;
    assert.equal(token.via, "Secret team-a/tool-token");
    assert.match(token.what, /long-lived token Secret, \d+s old, last used 2025-01-02/);

    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    for (const [severity, count] of Object.entries(body.summary))
      assert.match(
        metrics,
        new RegExp(`^kube_broker_rbac_findings\\{cluster="test",severity="${severity}"\\} ${count}$`, "m"),
      );
    assert.ok(body.summary.critical >= 4);
  });

  it("prints the findings as a table, or as JSON or YAML", async () => {
    const table = await cli(["rbac", "--cluster", "test"]);
    assert.equal(table.code, 0, table.stderr);
    const [header, ...rows] = table.stdout.trimEnd().split("\n");
    assert.match(header!, /^SEVERITY +SUBJECT +SCOPE +WHAT +VIA BINDING +FIX$/);
    assert.match(rows[0]!, /^critical +/);
    assert.ok(
      rows.some((r) =>
        /^high +Group developers +team-a +pods\/exec.* RoleBinding team-a\/developers-edit /.test(r),
      ),
    );
    assert.match(table.stderr, /^\d+ critical, \d+ high, \d+ medium, \d+ drift$/m);
    const json = await cli(["rbac", "--cluster", "test", "-o", "json"]);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as RbacReport;
    assert.deepEqual(counts(parsed), RISKY_CHECKS);
    const yaml = await cli(["rbac", "--cluster", "test", "-o", "yaml"]);
    assert.deepEqual(counts(parse(yaml.stdout) as RbacReport), RISKY_CHECKS);
  });

  it("shows the report to admins only: anyone else gets a 403 Status, the CLI one line", async () => {
    const dev = await stack.login("dev");
    const res = await report(dev);
    assert.equal(res.status, 403);
    const status = (await res.json()) as { kind: string; reason: string; message: string };
    assert.equal(status.kind, "Status");
    assert.equal(status.reason, "Forbidden");
    assert.match(status.message, /only admins/);
    const devHome = await mkdtemp(join(tmpdir(), "kb-report-dev-"));
    try {
      const devEnv = baseEnv(devHome);
      assert.equal(
        (await scriptedLogin(stack.url, devEnv, "dev", ["--certificate-authority", stack.caFile])).code,
        0,
      );
      const refused = await cli(["rbac", "--cluster", "test"], devEnv);
      assert.notEqual(refused.code, 0);
      assert.equal(refused.stdout, "");
      assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
      assert.match(refused.stderr, /only admins/);
    } finally {
      await rm(devHome, { recursive: true, force: true });
    }
  });

  it("refuses bad input with a Status, and the CLI with one line", async () => {
    for (const [query, message] of [
      ["cluster=nope", /cluster "nope" is not configured; the clusters are: test/],
      ["", /cluster: /],
      ["cluster=test&since=5d", /since/],
    ] as const) {
      const res = await report(admin, query);
      assert.equal(res.status, 422, query);
      const status = (await res.json()) as { kind: string; reason: string; message: string };
      assert.equal(status.kind, "Status");
      assert.match(status.message, message);
    }
    for (const [args, message] of [
      [["rbac", "--cluster", "nope"], /cluster "nope" is not configured/],
      [["rbac"], /--cluster is required/],
      [["rbac", "--cluster", "test", "-o", "wide"], /--output must be one of json, yaml/],
      [["rbac", "--cluster", "test", "--verb", "get"], /Unknown option '--verb'/],
      [["nonsense"], /report needs one of rbac.*not "nonsense"/],
    ] as const) {
      const result = await cli([...args]);
      assert.notEqual(result.code, 0, args.join(" "));
      assert.equal(result.stdout, "");
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.match(result.stderr, message);
    }
  });
});
