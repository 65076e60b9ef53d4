import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { decodeJwt } from "jose";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import type { KubeObject } from "../../../tools/stand-in/objects.ts";
import { asAdmin, ensureNamespace } from "./fixtures.ts";
import { field, message, PROTOBUF, protobufObject, stringMap } from "./protobuf-encode.ts";

const TOKEN_TYPE = "kubernetes.io/service-account-token";
const NAME = "kubernetes.io/service-account.name";
const UID = "kubernetes.io/service-account.uid";

const decode = (value: unknown) => Buffer.from(String(value ?? ""), "base64").toString();

function tokenSecret(name: string, serviceAccount: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: "sat", annotations: { [NAME]: serviceAccount } },
    type: TOKEN_TYPE,
  });
}

describe("stand-in ServiceAccount token Secrets and the token controller", () => {
  let standIn: StandIn;
  let kubectl: KubectlSandbox;
  let admin: string;
  const run = (args: string[], input?: string) => kubectl.run(admin, args, { input });

  /** The controller works just after the write, as a real one would a moment later. */
  async function eventually<T>(probe: () => T | undefined, what: string): Promise<T> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`no ${what} within 5 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  const secret = (name: string) => standIn.store.find("secrets", { namespace: "sat", name });
  const filled = (name: string) =>
    eventually(() => {
      const current = secret(name);
      return (current?.data as { token?: string } | undefined)?.token ? current : undefined;
    }, `token in ${name}`);
  /** The user a token authenticates as (SelfSubjectReview), or the HTTP status when it does not. */
  async function whoIs(token: string): Promise<string | number> {
    const res = await asAdmin(standIn, "/apis/authentication.k8s.io/v1/selfsubjectreviews", {
      token,
      method: "POST",
      body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
    });
    return res.status === 201
      ? res.json<{ status: { userInfo: { username: string } } }>().status.userInfo.username
      : res.status;
  }

  before(async () => {
    standIn = await startStandIn();
    ensureNamespace(standIn, "sat");
    for (const name of ["builder", "temp", "doomed"]) {
      standIn.store.create({ kind: "ServiceAccount", metadata: { name, namespace: "sat" } });
    }
    kubectl = await kubectlSandbox();
    admin = join(kubectl.dir, "admin.kubeconfig");
    await standIn.writeKubeconfig(admin);
  });
  after(async () => {
    await kubectl.cleanup();
    await standIn.close();
  });

  it("kubectl apply -f gets a token Secret filled: a never-expiring token, ca.crt, namespace and the UID annotation", async () => {
    const applied = await run(["apply", "-f", "-"], tokenSecret("builder-token", "builder"));
    assert.deepEqual([applied.code, applied.stdout], [0, "secret/builder-token created\n"], applied.stderr);
    const stored = await filled("builder-token");
    const serviceAccount = standIn.store.get("serviceaccounts", { namespace: "sat", name: "builder" });
    const data = stored.data as Record<string, string>;
    assert.equal(decode(data["ca.crt"]), standIn.caCert);
    assert.equal(decode(data.namespace), "sat");
    assert.equal(stored.metadata.annotations?.[UID], serviceAccount.metadata.uid);
    assert.equal(stored.metadata.annotations?.[NAME], "builder");

    const token = decode(data.token);
    const claims = decodeJwt(token);
    assert.equal(claims.iss, "kubernetes/serviceaccount");
    assert.equal(claims.sub, "system:serviceaccount:sat:builder");
    assert.equal(claims.exp, undefined, "a legacy token never expires");
    assert.equal(claims.aud, undefined);
    assert.equal(claims["kubernetes.io/serviceaccount/secret.name"], "builder-token");
    assert.equal(claims["kubernetes.io/serviceaccount/service-account.uid"], serviceAccount.metadata.uid);

    const fromKubectl = await run([
      "get",
      "secret",
      "builder-token",
      "-n",
      "sat",
      "-o",
      "jsonpath={.data.token}",
    ]);
    assert.equal(decode(fromKubectl.stdout), token);
    const asBuilder = join(kubectl.dir, "builder.kubeconfig");
    await standIn.writeKubeconfig(asBuilder, { token, namespace: "sat", context: "builder" });
    const whoami = await kubectl.run(asBuilder, ["auth", "whoami"]);
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.match(whoami.stdout, /Username\s+system:serviceaccount:sat:builder\n/);
    assert.match(
      whoami.stdout,
      /Groups\s+\[system:serviceaccounts system:serviceaccounts:sat system:authenticated\]/,
    );
    const today = new Date().toISOString().slice(0, 10);
    assert.equal(secret("builder-token")?.metadata.labels?.["kubernetes.io/legacy-token-last-used"], today);
  });

  it("kubectl create secret generic --type=…service-account-token (protobuf) is refused without the ServiceAccount name", async () => {
    const created = await run([
      "create",
      "secret",
      "generic",
      "nameless",
      "-n",
      "sat",
      `--type=${TOKEN_TYPE}`,
    ]);
    assert.notEqual(created.code, 0);
    assert.equal(standIn.requests.findLast((r) => r.method === "POST")?.contentType, PROTOBUF);
    assert.match(
      created.stderr,
      /Secret "nameless" is invalid: metadata\.annotations\[kubernetes\.io\/service-account\.name\]: Required value/,
    );
    assert.equal(secret("nameless"), undefined);
  });

  it("a token Secret a typed client creates in protobuf, with the annotation, is filled too", async () => {
    const meta = message(field(1, "typed-token"), field(3, "sat"), stringMap(12, { [NAME]: "builder" }));
    const body = protobufObject("v1", "Secret", message(field(1, meta), field(3, TOKEN_TYPE)));
    const res = await asAdmin(standIn, "/api/v1/namespaces/sat/secrets", {
      method: "POST",
      body,
      contentType: PROTOBUF,
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json<KubeObject>().type, TOKEN_TYPE);
    const stored = await filled("typed-token");
    assert.equal(
      await whoIs(decode((stored.data as { token: string }).token)),
      "system:serviceaccount:sat:builder",
    );
  });

  it("a Secret's type is immutable: kubectl patch (all three types) and kubectl replace get the API server's 422", async () => {
    const immutable =
      'The Secret "builder-token" is invalid: type: Invalid value: "Opaque": field is immutable';
    for (const [type, patch] of [
      ["merge", '{"type":"Opaque"}'],
      ["strategic", '{"type":"Opaque"}'],
      ["json", '[{"op":"replace","path":"/type","value":"Opaque"}]'],
    ] as const) {
      const patched = await run([
        "patch",
        "secret",
        "builder-token",
        "-n",
        "sat",
        `--type=${type}`,
        "-p",
        patch,
      ]);
      assert.notEqual(patched.code, 0, type);
      assert.match(patched.stderr, new RegExp(immutable.replaceAll(".", "\\.")), type);
    }
    const current = JSON.parse(
      (await run(["get", "secret", "builder-token", "-n", "sat", "-o", "json"])).stdout,
    );
    const replaced = await run(["replace", "-f", "-"], JSON.stringify({ ...current, type: "Opaque" }));
    assert.notEqual(replaced.code, 0);
    assert.match(replaced.stderr, /type: Invalid value: "Opaque": field is immutable/);
    // A PUT without a type is defaulted to Opaque first, so it is a change of type too.
    const { type: _type, ...untyped } = current;
    const put = await asAdmin(standIn, "/api/v1/namespaces/sat/secrets/builder-token", {
      method: "PUT",
      body: untyped,
    });
    assert.equal(put.status, 422);

    standIn.store.create({
      kind: "Secret",
      metadata: { name: "plain", namespace: "sat" },
      stringData: { k: "v" },
    });
    const upgrade = await asAdmin(standIn, "/api/v1/namespaces/sat/secrets/plain", {
      method: "PATCH",
      contentType: "application/merge-patch+json",
      body: { type: TOKEN_TYPE },
    });
    assert.equal(upgrade.status, 422);
    assert.equal(
      upgrade.json().message,
      `Secret "plain" is invalid: [type: Invalid value: "${TOKEN_TYPE}": field is immutable, metadata.annotations[${NAME}]: Required value]`,
    );
    assert.equal(secret("builder-token")?.type, TOKEN_TYPE);
  });

  it("the controller deletes a token Secret whose ServiceAccount does not exist", async () => {
    const applied = await run(["apply", "-f", "-"], tokenSecret("ghost-token", "ghost"));
    assert.equal(applied.code, 0, applied.stderr);
    await eventually(() => (secret("ghost-token") ? undefined : true), "deletion of ghost-token");
  });

  it("a legacy token lasts exactly as long as its Secret, its ServiceAccount, and no invalid-since label", async () => {
    await run(["apply", "-f", "-"], tokenSecret("temp-token", "temp"));
    const token = decode(((await filled("temp-token")).data as { token: string }).token);
    assert.equal(await whoIs(token), "system:serviceaccount:sat:temp");
    const invalid = "kubernetes.io/legacy-token-invalid-since=2025-01-01";
    assert.equal((await run(["label", "secret", "temp-token", "-n", "sat", invalid])).code, 0);
    assert.equal(await whoIs(token), 401);
    assert.equal(
      (await run(["label", "secret", "temp-token", "-n", "sat", "kubernetes.io/legacy-token-invalid-since-"]))
        .code,
      0,
    );
    assert.equal(await whoIs(token), "system:serviceaccount:sat:temp");
    assert.equal((await run(["delete", "secret", "temp-token", "-n", "sat"])).code, 0);
    assert.equal(await whoIs(token), 401);

    await run(["apply", "-f", "-"], tokenSecret("doomed-token", "doomed"));
    const doomed = decode(((await filled("doomed-token")).data as { token: string }).token);
    assert.equal(await whoIs(doomed), "system:serviceaccount:sat:doomed");
    assert.equal((await run(["delete", "serviceaccount", "doomed", "-n", "sat"])).code, 0);
    assert.equal(await whoIs(doomed), 401);
    await eventually(() => (secret("doomed-token") ? undefined : true), "deletion of doomed-token");
  });

  it("TokenReview reports a legacy token for the API server's audiences only", async () => {
    const token = decode((secret("builder-token")!.data as { token: string }).token);
    const review = async (audiences?: string[]) =>
      (
        await asAdmin(standIn, "/apis/authentication.k8s.io/v1/tokenreviews", {
          method: "POST",
          body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token, audiences } },
        })
      ).json<{ status: { authenticated: boolean; audiences: string[]; error?: string } }>().status;
    assert.deepEqual((await review()).audiences, ["https://kubernetes.default.svc"]);
    const other = await review(["kube-broker:prod"]);
    assert.equal(other.authenticated, false);
    assert.match(
      other.error ?? "",
      /token audiences \["https:\/\/kubernetes\.default\.svc"\] is invalid for the target audiences \["kube-broker:prod"\]/,
    );
  });
});
