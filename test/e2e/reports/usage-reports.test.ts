import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { AccessReport, UnusedReport, UsageReport } from "../../../src/reports/index.ts";
import { bearer } from "../../support/login.ts";
import { oneLineFailure } from "../cli/cli-process.ts";
import { useDeveloper } from "../cli/developer.ts";

const DEV = "dev@example.com";

/** Usage, unused and access reports from real kubectl traffic, through the CLI and over HTTP. */
describe("report usage, unused and access", () => {
  const developer = useDeveloper();
  let admin: string;
  let dev: string;

  /** A report, or the Status that refused it. */
  const get = async <T>(path: string, session: string) => {
    const res = await fetch(`${developer().stack.url}/v1/reports/${path}`, { headers: bearer(session) });
    return { status: res.status, body: (await res.json()) as T & { kind: string } };
  };

  before(async () => {
    assert.equal((await developer().login()).code, 0);
    const kubeconfig = await developer().kubeconfig("team-a");
    const kubectl = (args: string[]) => developer().kubectl.run(kubeconfig, args);
    for (let i = 0; i < 3; i++) assert.equal((await kubectl(["get", "pods"])).code, 0);
    assert.equal((await kubectl(["get", "configmaps"])).code, 0);
    // view may not read Secrets: the cluster refuses, and the report counts a denial.
    assert.notEqual((await kubectl(["get", "secrets"])).code, 0);
    admin = await developer().stack.login("admin");
    dev = await developer().stack.login("dev");
    // The aggregator runs behind the stream: wait until the last request is counted.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const { body } = await get<AccessReport>("access?since=1h&resource=secrets", admin);
      if (body.items?.length) break;
      assert.ok(Date.now() < deadline, `no secrets access counted: ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it("usage lists each permission used, with counts, and what the role grants against it", async () => {
    const table = await developer().cli(["report", "usage", "--since", "1d"]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(
      table.stdout,
      /^CLUSTER +NAMESPACE +VERB +RESOURCE +NAMES +COUNT +DENIED +FIRST SEEN +LAST SEEN\n/,
    );
    assert.match(table.stdout, /^test +team-a +list +pods +<none> +3 +0 +\S+ ago +\S+ ago$/m);

    const json = await developer().cli(["report", "usage", "--since", "1d", "--role", "view", "-o", "json"]);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as UsageReport;
    assert.equal(report.kind, "UsageReport");
    assert.deepEqual(report.filter, { role: "view", user: DEV });
    const secrets = report.items.find((i) => i.resource === "secrets");
    assert.equal(secrets?.denied, 1);
    assert.deepEqual(secrets?.users, [DEV]);
    const pods = report.granted?.permissions.find(
      (p) => p.verb === "list" && p.resource === "pods" && p.apiGroup === "",
    );
    assert.equal(pods?.used, 3, JSON.stringify(report.granted).slice(0, 500));
    assert.ok(
      report.granted?.permissions.some((p) => p.used === 0),
      "view grants more than was used",
    );
  });

  it("access shows who touched what, with denials; admins see everyone, others only themselves", async () => {
    const json = await developer().cli(["report", "access", "--resource", "secrets", "-o", "yaml"]);
    assert.equal(json.code, 0, json.stderr);
    assert.match(json.stdout, /kind: AccessReport/);
    assert.match(json.stdout, /denied: 1/);

    const everyone = await get<AccessReport>("access?since=24h&cluster=test&namespace=team-a", admin);
    assert.equal(everyone.status, 200);
    const pods = everyone.body.items.find((i) => i.user === DEV && i.resource === "pods");
    assert.deepEqual(pods?.verbs, { list: 3 });

    const other = await get<UsageReport>(`usage?user=${encodeURIComponent("admin@example.com")}`, dev);
    assert.equal(other.status, 403);
    assert.equal(other.body.kind, "Status");
    const cli = await developer().cli(["report", "access", "--user", "admin@example.com"]);
    assert.match(oneLineFailure(cli), /only admins may see reports about other people/);
  });

  it("unused names the roles, rules and permissions nobody used", async () => {
    const { status, body } = await get<UnusedReport>("unused?since=30d", admin);
    assert.equal(status, 200);
    assert.deepEqual(
      body.roles.map((r) => r.role),
      ["edit"],
    );
    // dev used view, the one standing rule it holds, so dev is not among the unused.
    assert.ok(!body.people.some((p) => p.user === DEV));
    assert.ok(body.permissions.some((p) => p.role === "view" && p.used === 0));
    const cli = await developer().cli(["report", "unused"]);
    assert.equal(cli.code, 0, cli.stderr);
    // A role's unused permissions, one row per resource with its verbs (not a row per verb).
    assert.match(
      cli.stdout,
      /^Permissions of used roles that nobody used:\nCLUSTER +ROLE +RESOURCE +VERBS\n/m,
    );
    assert.match(cli.stdout, /^test +view +pods +get,watch$/m, "list pods was used; get and watch were not");
  });

  it("refuses bad windows, unknown names and malformed filters with a Status", async () => {
    for (const [path, code] of [
      ["usage?since=-5d", 422],
      ["usage?since=9999y", 422],
      ["usage?since=9999d", 422],
      ["usage?cluster=nope", 404],
      ["usage?role=nope", 404],
      ["usage?ciRule=nope", 404],
      ["usage?user=nobody%40example.com", 404],
      ["access?resource=Secrets!", 422],
      ["access?namespace=Team_A", 422],
      ["usage?users=dev", 422],
      ["usage?grant=a%20b", 422],
    ] as const) {
      const { status, body } = await get<object>(path, admin);
      assert.equal(status, code, `${path}: ${JSON.stringify(body)}`);
      assert.equal(body.kind, "Status");
    }
    const cli = await developer().cli(["report", "usage", "--since=-5d"]);
    assert.match(oneLineFailure(cli), /query parameter "since": must be a duration/);
    const long = await developer().cli(["report", "usage", "--since", "9999y"]);
    assert.match(oneLineFailure(long), /since/);
  });
});
