import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { parse } from "yaml";
import { configSchema } from "../../../src/config/schema.ts";
import type { SuggestedRole } from "../../../src/reports/index.ts";
import { readAudit } from "../../support/audit-log.ts";
import { bearer } from "../../support/login.ts";
import { STANDING_EDIT } from "../../support/stack.ts";
import { oneLineFailure } from "../cli/cli-process.ts";
import { useDeveloper } from "../cli/developer.ts";

const DEV = "dev@example.com";

/** What the developer does with an edit grant in team-a; `cm` names the ConfigMap it creates. */
const work = (cm: string) => [
  ["get", "pods"],
  ["logs", "web-1"],
  ["get", "configmap", "app-config", "-o", "name"],
  ["create", "configmap", cm, "--from-literal=k=v"],
  ["exec", "web-1", "--", "echo", "hi"],
];

/**
 * suggest-role as a person uses it: real kubectl through the gateway, the role generated with
 * the CLI, applied in the stand-in, bound to a fresh ServiceAccount, and the same commands
 * replayed with that ServiceAccount's token (allowed) beside unobserved ones (refused).
 */
describe("report suggest-role", () => {
  const developer = useDeveloper({ config: STANDING_EDIT });
  let admin: string;
  let dev: string;

  const get = async (query: string, session: string) => {
    const res = await fetch(`${developer().stack.url}/v1/reports/suggest-role?${query}`, {
      headers: bearer(session),
    });
    return {
      status: res.status,
      body: (await res.json()) as SuggestedRole & { kind: string; message?: string },
    };
  };

  /**
   * Runs kubectl get -w until its watch is open at the gateway: it prints web-1 from the list
   * it makes first, and only then sends the watch (on a busy machine, a while later).
   */
  const watchPods = async (kubeconfig: string) => {
    const watching = developer().kubectl.start(kubeconfig, ["get", "pods", "-w"]);
    try {
      await watching.waitFor("web-1", 15_000);
      const deadline = Date.now() + 15_000;
      const watchOpened = async () =>
        (await readAudit(developer().stack.redis)).some(
          (e) => e.type === "request" && e.phase === "start" && e.verb === "watch" && e.resource === "pods",
        );
      while (!(await watchOpened())) {
        assert.ok(Date.now() < deadline, "kubectl's watch never reached the gateway");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      watching.stop();
    }
  };

  before(async () => {
    assert.equal((await developer().login()).code, 0);
    const kubeconfig = await developer().kubeconfig("team-a", "edit");
    for (const args of work("observed")) {
      const result = await developer().kubectl.run(kubeconfig, args);
      assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
    }
    await watchPods(kubeconfig);
    admin = await developer().stack.login("admin");
    dev = await developer().stack.login("dev");
    // The aggregator runs behind the stream: wait until the exec session and the watch count.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const { body } = await get(`user=${encodeURIComponent(DEV)}&since=1h`, admin);
      const resources = (body.rules ?? []).flatMap((r) => r.resources ?? []);
      const verbs = (body.rules ?? []).filter((r) => r.resources?.includes("pods")).flatMap((r) => r.verbs);
      if (resources.includes("pods/exec") && verbs.includes("watch")) break;
      assert.ok(Date.now() < deadline, `use not counted yet: ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it("writes a role that, applied and bound, allows what was done and refuses the rest", async () => {
    const { stack, kubectl } = developer();
    const yaml = await developer().cli([
      "report",
      "suggest-role",
      "--since",
      "1h",
      "--user",
      DEV,
      "--bind-serviceaccount",
      "team-a/replay",
      "-o",
      "yaml",
    ]);
    assert.equal(yaml.code, 0, yaml.stderr);
    assert.match(yaml.stdout, /^---\napiVersion: rbac.authorization.k8s.io\/v1\nkind: Role\n/);
    assert.match(yaml.stdout, /kind: RoleBinding/);
    assert.doesNotMatch(yaml.stdout, /secrets|delete|ClusterRole/);

    const asAdmin = (args: string[], input?: string) =>
      kubectl.run(stack.adminKubeconfig, args, input === undefined ? {} : { input });
    assert.equal((await asAdmin(["create", "serviceaccount", "replay", "-n", "team-a"])).code, 0);
    const applied = await asAdmin(["apply", "-f", "-"], yaml.stdout);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /role.rbac.authorization.k8s.io\/suggested-dev-example-com created/);

    const token = await stack.standIn.issueToken("team-a", "replay");
    const replay = join(kubectl.dir, "replay.kubeconfig");
    await stack.standIn.writeKubeconfig(replay, { token, namespace: "team-a", context: "replay" });
    for (const args of work("replayed")) {
      const result = await kubectl.run(replay, args);
      assert.equal(result.code, 0, `replayed ${args.join(" ")}: ${result.stderr}`);
    }
    await watchPods(replay);
    for (const args of [
      ["delete", "configmap", "app-config"],
      ["get", "secrets"],
      ["get", "pods", "-n", "team-b"],
      ["logs", "web-2"],
      ["get", "serviceaccounts"],
    ]) {
      const result = await kubectl.run(replay, args);
      assert.notEqual(result.code, 0, `${args.join(" ")} was allowed`);
      assert.match(result.stderr, /forbidden/i, args.join(" "));
    }
  });

  it("prints the rules as a table, and a ClusterRole with the broker's roles: entry", async () => {
    const table = await developer().cli(["report", "suggest-role", "--since", "1h"]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^SCOPE +API GROUP +RESOURCES +VERBS +NAMES\n/);
    assert.match(table.stdout, /^namespaced +"" +pods\/exec +create,get +web-1$/m);
    assert.match(table.stderr, /Bound in namespaces: team-a/);

    const broker = await developer().cli([
      "report",
      "suggest-role",
      "--user",
      DEV,
      "--name",
      "team-a-worker",
      "--as-broker-role",
      "-o",
      "yaml",
    ]);
    assert.equal(broker.code, 0, broker.stderr);
    assert.match(broker.stdout, /^---\napiVersion: rbac.authorization.k8s.io\/v1\nkind: ClusterRole\n/);
    assert.doesNotMatch(broker.stdout, /RoleBinding/);
    assert.match(
      broker.stdout,
      /^# roles:\n# {3}- name: team-a-worker\n# {5}clusterRole: team-a-worker\n# {5}maxTtl: 4h$/m,
    );

    const json = await developer().cli(["report", "suggest-role", "--user", DEV, "-o", "json"]);
    assert.equal(json.code, 0, json.stderr);
    const list = JSON.parse(json.stdout) as { kind: string; items: { kind: string }[] };
    assert.equal(list.kind, "List");
    assert.deepEqual(
      list.items.map((i) => i.kind),
      ["Role", "RoleBinding"],
    );
  });

  it("adds the role to a broker config file, keeping the rest of it, and refuses a name taken", async () => {
    const file = join(developer().stack.dir, "broker-config.yaml");
    const original = await readFile("config/example.yaml", "utf8");
    await writeFile(file, original);
    const add = (name: string) =>
      developer().cli(["report", "suggest-role", "--user", DEV, "--name", name, "--add-to-config", file]);
    const added = await add("team-a-worker");
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stderr, /added role "team-a-worker" to .*broker-config\.yaml/);
    const text = await readFile(file, "utf8");
    // Only the entry was added: the rest of the file, comments and layout, is as it was.
    const lines = text.split("\n");
    const first = lines.findIndex((line) => /^\s*- name: team-a-worker$/.test(line));
    assert.ok(first > 0, text);
    const indent = lines[first]!.indexOf("-");
    let after = first + 1;
    while (after < lines.length && lines[after]!.search(/\S/) > indent) after++;
    assert.equal([...lines.slice(0, first), ...lines.slice(after)].join("\n"), original);
    const config = configSchema.safeParse(parse(text));
    assert.ok(config.success, JSON.stringify(config.error?.issues));
    const role = config.data!.roles.find((r) => r.name === "team-a-worker");
    assert.deepEqual([role?.clusterRole, role?.maxTtl], ["team-a-worker", 4 * 3600]);

    const again = await add("team-a-worker");
    assert.match(
      oneLineFailure(again),
      /already has a role named "team-a-worker"; choose another with --name/,
    );
    assert.equal(await readFile(file, "utf8"), text, "nothing was changed");
  });

  it("answers others' use only to admins, and refuses bad input or no use with a Status", async () => {
    const other = await get(`user=${encodeURIComponent("admin@example.com")}`, dev);
    assert.equal(other.status, 403);
    const cli = await developer().cli(["report", "suggest-role", "--user", "admin@example.com"]);
    assert.match(oneLineFailure(cli), /only admins may see reports about other people/);

    const none = await get(`user=${encodeURIComponent("admin@example.com")}`, admin);
    assert.equal(none.status, 404, JSON.stringify(none.body));
    assert.match(none.body.message ?? "", /nothing to build a role from/);
    for (const [query, code] of [
      ["", 422],
      [`user=${DEV}&role=edit`, 422],
      [`user=${DEV}&name=Not_A_Name`, 422],
      [`user=${DEV}&bindServiceAccount=nope`, 422],
      [`user=${DEV}&asBrokerRole=yes`, 422],
      [`user=${DEV}&since=-5d`, 422],
      ["role=nope", 404],
      [`user=${DEV}&asBrokerRole=true&name=edit`, 409],
    ] as const) {
      const { status, body } = await get(query, admin);
      assert.equal(status, code, `${query}: ${JSON.stringify(body)}`);
      assert.equal(body.kind, "Status");
    }
    const bad = await developer().cli(["report", "suggest-role", "--bind-serviceaccount", "x"]);
    assert.match(oneLineFailure(bad), /bindServiceAccount/);
  });
});
