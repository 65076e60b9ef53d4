import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import type { KubeObject } from "../../../tools/stand-in/objects.ts";
import { ensureNamespace } from "./fixtures.ts";

const RBAC = "rbac.authorization.k8s.io";
const user = (name: string) => ({ kind: "User", name, apiGroup: RBAC });
const rule = (verbs: string[], resources: string[]) => ({ verbs, apiGroups: [""], resources });

interface Target {
  what: string;
  ref: { namespace?: string; name: string };
  resource: string;
}

/** The four RBAC kinds and Secrets, as kubectl names them, with the objects each test starts from. */
const TARGETS: Target[] = [
  { what: "rolebinding", ref: { namespace: "pt", name: "rb" }, resource: "rolebindings" },
  { what: "clusterrolebinding", ref: { name: "pt-crb" }, resource: "clusterrolebindings" },
  { what: "role", ref: { namespace: "pt", name: "r" }, resource: "roles" },
  { what: "clusterrole", ref: { name: "pt-cr" }, resource: "clusterroles" },
  { what: "secret", ref: { namespace: "pt", name: "s" }, resource: "secrets" },
];

describe("real kubectl patch, apply --server-side, edit and replace on RBAC objects and Secrets", () => {
  let standIn: StandIn;
  let kubectl: KubectlSandbox;
  let admin: string;
  const run = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
    kubectl.run(admin, args, options);
  const ns = (ref: { namespace?: string }) => (ref.namespace ? ["-n", ref.namespace] : []);
  const get = (resource: string, ref: { namespace?: string; name: string }) =>
    standIn.store.get(resource, ref);

  before(async () => {
    standIn = await startStandIn();
    ensureNamespace(standIn, "pt");
    kubectl = await kubectlSandbox();
    admin = join(kubectl.dir, "admin.kubeconfig");
    await standIn.writeKubeconfig(admin);
    const made = await Promise.all([
      run(["create", "rolebinding", "rb", "-n", "pt", "--clusterrole=view", "--user=alice", "--user=bob"]),
      run(["create", "clusterrolebinding", "pt-crb", "--clusterrole=view", "--user=alice", "--group=devs"]),
      run(["create", "role", "r", "-n", "pt", "--verb=get", "--resource=pods"]),
      run(["create", "clusterrole", "pt-cr", "--verb=get", "--resource=pods"]),
      run(["create", "secret", "generic", "s", "-n", "pt", "--from-literal=a=1", "--from-literal=b=2"]),
    ]);
    for (const result of made) assert.equal(result.code, 0, result.stderr);
  });
  after(async () => {
    await kubectl.cleanup();
    await standIn.close();
  });

  it("--type=strategic replaces subjects and rules whole (no patchMergeKey in rbac/v1) and merges Secret data", async () => {
    const patches: Record<string, [unknown, (o: KubeObject) => unknown, unknown]> = {
      rolebinding: [{ subjects: [user("mallory")] }, (o) => o.subjects, [user("mallory")]],
      clusterrolebinding: [{ subjects: [user("mallory")] }, (o) => o.subjects, [user("mallory")]],
      role: [{ rules: [rule(["list"], ["secrets"])] }, (o) => o.rules, [rule(["list"], ["secrets"])]],
      clusterrole: [{ rules: [rule(["list"], ["secrets"])] }, (o) => o.rules, [rule(["list"], ["secrets"])]],
      secret: [{ data: { c: "Mw==" } }, (o) => o.data, { a: "MQ==", b: "Mg==", c: "Mw==" }],
    };
    for (const { what, ref, resource } of TARGETS) {
      const [patch, pick, expected] = patches[what]!;
      const result = await run([
        "patch",
        what,
        ref.name,
        ...ns(ref),
        "--type=strategic",
        "-p",
        JSON.stringify(patch),
      ]);
      assert.equal(result.code, 0, `${what}: ${result.stderr}`);
      assert.match(result.stdout, / patched\n$/);
      assert.deepEqual(pick(get(resource, ref)), expected, what);
    }
  });

  it("--type=merge replaces lists and merges maps; --type=json edits lists by index and fails as the server fails", async () => {
    const merged = await run([
      "patch",
      "rolebinding",
      "rb",
      "-n",
      "pt",
      "--type=merge",
      "-p",
      JSON.stringify({ subjects: [user("eve")] }),
    ]);
    assert.equal(merged.code, 0, merged.stderr);
    assert.deepEqual(get("rolebindings", { namespace: "pt", name: "rb" }).subjects, [user("eve")]);
    const appended = await run([
      "patch",
      "clusterrolebinding",
      "pt-crb",
      "--type=json",
      "-p",
      JSON.stringify([{ op: "add", path: "/subjects/-", value: user("trent") }]),
    ]);
    assert.equal(appended.code, 0, appended.stderr);
    assert.deepEqual(get("clusterrolebindings", { name: "pt-crb" }).subjects, [
      user("mallory"),
      user("trent"),
    ]);
    const role = await run([
      "patch",
      "role",
      "r",
      "-n",
      "pt",
      "--type=json",
      "-p",
      JSON.stringify([{ op: "add", path: "/rules/0/verbs/-", value: "watch" }]),
    ]);
    assert.equal(role.code, 0, role.stderr);
    assert.deepEqual(get("roles", { namespace: "pt", name: "r" }).rules, [
      rule(["list", "watch"], ["secrets"]),
    ]);
    const clusterRole = await run([
      "patch",
      "clusterrole",
      "pt-cr",
      "--type=merge",
      "-p",
      JSON.stringify({ rules: [rule(["get"], ["nodes"])] }),
    ]);
    assert.equal(clusterRole.code, 0, clusterRole.stderr);
    assert.deepEqual(get("clusterroles", { name: "pt-cr" }).rules, [rule(["get"], ["nodes"])]);
    const secret = await run([
      "patch",
      "secret",
      "s",
      "-n",
      "pt",
      "--type=merge",
      "-p",
      '{"data":{"a":null,"d":"NA=="}}',
    ]);
    assert.equal(secret.code, 0, secret.stderr);
    assert.deepEqual(get("secrets", { namespace: "pt", name: "s" }).data, {
      b: "Mg==",
      c: "Mw==",
      d: "NA==",
    });

    for (const ops of [
      [{ op: "test", path: "/subjects/0/name", value: "nobody" }],
      [{ op: "remove", path: "/subjects/7" }],
      [{ op: "replace", path: "/metadata/labels/missing", value: "x" }],
    ]) {
      const failed = await run([
        "patch",
        "rolebinding",
        "rb",
        "-n",
        "pt",
        "--type=json",
        "-p",
        JSON.stringify(ops),
      ]);
      assert.notEqual(failed.code, 0);
      assert.match(
        failed.stderr,
        /The request is invalid: the server rejected our request due to an error in our request/,
      );
    }
  });

  it("a binding's roleRef is immutable: patch and replace get the API server's 422", async () => {
    const refused = (kind: string, name: string) =>
      new RegExp(
        `The ${kind} "${name}" is invalid: roleRef: Invalid value: rbac\\.RoleRef\\{APIGroup:"rbac\\.authorization\\.k8s\\.io", Kind:"ClusterRole", Name:"edit"\\}: cannot change roleRef`,
      );
    const rb = await run([
      "patch",
      "rolebinding",
      "rb",
      "-n",
      "pt",
      "--type=merge",
      "-p",
      '{"roleRef":{"name":"edit"}}',
    ]);
    assert.match(rb.stderr, refused("RoleBinding", "rb"));
    const crb = await run([
      "patch",
      "clusterrolebinding",
      "pt-crb",
      "--type=strategic",
      "-p",
      '{"roleRef":{"name":"edit"}}',
    ]);
    assert.match(crb.stderr, refused("ClusterRoleBinding", "pt-crb"));
    const current = JSON.parse((await run(["get", "rolebinding", "rb", "-n", "pt", "-o", "json"])).stdout);
    const replaced = await run(["replace", "-f", "-"], {
      input: JSON.stringify({ ...current, roleRef: { ...current.roleRef, name: "edit" } }),
    });
    assert.match(replaced.stderr, refused("RoleBinding", "rb"));
    assert.equal(
      (get("rolebindings", { namespace: "pt", name: "rb" }).roleRef as { name: string }).name,
      "view",
    );
  });

  it("$patch directives: replace and delete in a map; in an atomic list they are not directives at all", async () => {
    assert.equal((await run(["label", "rolebinding", "rb", "-n", "pt", "a=1", "b=2"])).code, 0);
    const replace = await run([
      "patch",
      "rolebinding",
      "rb",
      "-n",
      "pt",
      "--type=strategic",
      "-p",
      '{"metadata":{"labels":{"$patch":"replace","only":"this"}}}',
    ]);
    assert.equal(replace.code, 0, replace.stderr);
    assert.deepEqual(get("rolebindings", { namespace: "pt", name: "rb" }).metadata.labels, { only: "this" });
    const remove = await run([
      "patch",
      "rolebinding",
      "rb",
      "-n",
      "pt",
      "--type=strategic",
      "-p",
      '{"metadata":{"labels":{"$patch":"delete"}}}',
    ]);
    assert.equal(remove.code, 0, remove.stderr);
    assert.equal(get("rolebindings", { namespace: "pt", name: "rb" }).metadata.labels, undefined);
    // subjects has no merge key, so the patch list is the new list and "$patch" an unknown field.
    const notADirective = await run([
      "patch",
      "rolebinding",
      "rb",
      "-n",
      "pt",
      "--type=strategic",
      "-p",
      '{"subjects":[{"$patch":"delete","name":"eve"}]}',
    ]);
    assert.notEqual(notADirective.code, 0);
    assert.match(
      notADirective.stderr,
      /subjects\[0\]\.kind: Unsupported value: "": supported values: "ServiceAccount", "User", "Group"/,
    );
  });

  it("apply --server-side creates, replaces atomic lists, and conflicts with other managers unless forced", async () => {
    const binding = (name: string, subjects: unknown[]) =>
      JSON.stringify({
        apiVersion: `${RBAC}/v1`,
        kind: "RoleBinding",
        metadata: { name, namespace: "pt" },
        roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "view" },
        subjects,
      });
    const created = await run(["apply", "--server-side", "-f", "-"], {
      input: binding("ssa", [user("alice")]),
    });
    assert.deepEqual(
      [created.code, created.stdout],
      [0, "rolebinding.rbac.authorization.k8s.io/ssa serverside-applied\n"],
    );
    const again = await run(["apply", "--server-side", "-f", "-"], {
      input: binding("ssa", [user("bob"), user("carol")]),
    });
    assert.equal(again.code, 0, again.stderr);
    const ssa = get("rolebindings", { namespace: "pt", name: "ssa" });
    assert.deepEqual(ssa.subjects, [user("bob"), user("carol")]);
    assert.deepEqual(
      (ssa.metadata.managedFields as { manager: string; operation: string; fieldsV1: unknown }[]).map((m) => [
        m.manager,
        m.operation,
        m.fieldsV1,
      ]),
      [["kubectl", "Apply", { "f:roleRef": {}, "f:subjects": {} }]],
    );

    // rb was created by kubectl create and patched since: its subjects belong to kubectl-patch.
    const conflicted = await run(["apply", "--server-side", "-f", "-"], {
      input: binding("rb", [user("mallory")]),
    });
    assert.notEqual(conflicted.code, 0);
    assert.match(
      conflicted.stderr,
      /Apply failed with 1 conflict: conflict with "kubectl-patch" using rbac\.authorization\.k8s\.io\/v1: \.subjects/,
    );
    const forced = await run(["apply", "--server-side", "--force-conflicts", "-f", "-"], {
      input: binding("rb", [user("mallory")]),
    });
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(get("rolebindings", { namespace: "pt", name: "rb" }).subjects, [user("mallory")]);

    const roles = [
      {
        apiVersion: `${RBAC}/v1`,
        kind: "Role",
        metadata: { name: "ssa-role", namespace: "pt" },
        rules: [rule(["get"], ["pods"])],
      },
      {
        apiVersion: `${RBAC}/v1`,
        kind: "ClusterRole",
        metadata: { name: "pt-ssa-cr" },
        rules: [rule(["get"], ["pods"])],
      },
      {
        apiVersion: `${RBAC}/v1`,
        kind: "ClusterRoleBinding",
        metadata: { name: "pt-ssa-crb" },
        roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "view" },
        subjects: [user("alice")],
      },
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "ssa-secret", namespace: "pt" },
        stringData: { k: "v" },
      },
    ];
    for (const object of roles) {
      const applied = await run(["apply", "--server-side", "-f", "-"], { input: JSON.stringify(object) });
      assert.equal(applied.code, 0, `${object.kind}: ${applied.stderr}`);
      assert.match(applied.stdout, / serverside-applied\n$/);
    }
    assert.deepEqual(get("secrets", { namespace: "pt", name: "ssa-secret" }).data, { k: "dg==" });
    const widened = await run(["apply", "--server-side", "-f", "-"], {
      input: JSON.stringify({ ...roles[1], rules: [rule(["get", "list", "watch"], ["pods", "secrets"])] }),
    });
    assert.equal(widened.code, 0, widened.stderr);
    assert.deepEqual(get("clusterroles", { name: "pt-ssa-cr" }).rules, [
      rule(["get", "list", "watch"], ["pods", "secrets"]),
    ]);
  });

  it("kubectl edit (a strategic patch from the editor) and kubectl replace (PUT) work on all five kinds", async () => {
    const edits: Record<string, [string, (o: KubeObject) => unknown, unknown]> = {
      rolebinding: ["s/name: mallory/name: edited/", (o) => o.subjects, [user("edited")]],
      clusterrolebinding: [
        "s/name: trent/name: edited/",
        (o) => (o.subjects as unknown[])[1],
        user("edited"),
      ],
      role: ["s/- secrets/- configmaps/", (o) => o.rules, [rule(["list", "watch"], ["configmaps"])]],
      clusterrole: ["s/- nodes/- persistentvolumes/", (o) => o.rules, [rule(["get"], ["persistentvolumes"])]],
      secret: ["s/^  b: .*/  b: ZWRpdGVk/", (o) => (o.data as Record<string, string>).b, "ZWRpdGVk"],
    };
    const seen = standIn.requests.length;
    for (const { what, ref, resource } of TARGETS) {
      const [script, pick, expected] = edits[what]!;
      const edited = await run(["edit", what, ref.name, ...ns(ref)], {
        env: { KUBE_EDITOR: `sed -i -e "${script}"` },
      });
      assert.equal(edited.code, 0, `${what}: ${edited.stderr}`);
      assert.match(edited.stdout, / edited\n$/, what);
      assert.deepEqual(pick(get(resource, ref)), expected, what);

      const current = JSON.parse((await run(["get", what, ref.name, ...ns(ref), "-o", "json"])).stdout);
      current.metadata.labels = { replaced: "yes" };
      const replaced = await run(["replace", "-f", "-"], { input: JSON.stringify(current) });
      assert.equal(replaced.code, 0, `${what}: ${replaced.stderr}`);
      assert.match(replaced.stdout, / replaced\n$/);
      assert.deepEqual(get(resource, ref).metadata.labels, { replaced: "yes" }, what);
    }
    const puts = standIn.requests
      .slice(seen)
      .filter((r) => r.method === "PUT" && r.query.includes("fieldManager=kubectl-replace"));
    assert.equal(puts.length, TARGETS.length, "kubectl replace sends PUT");
  });
});
