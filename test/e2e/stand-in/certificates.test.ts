import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import type { KubeObject } from "../../../tools/stand-in/objects.ts";
import { asAdmin, ensureNamespace, serviceAccountToken } from "./fixtures.ts";
import { field, message, PROTOBUF, protobufObject } from "./protobuf-encode.ts";

const CERTS = "certificates.k8s.io";
const CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client";
const csrPath = (name = "") => `/apis/${CERTS}/v1/certificatesigningrequests${name ? `/${name}` : ""}`;

/** A PKCS#10 request as openssl writes it (the key is thrown away). */
async function csrPem(subject: string, key: "ec" | "rsa" = "ec"): Promise<string> {
  const keyArgs =
    key === "ec" ? ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"] : ["-newkey", "rsa:2048"];
  const { stdout } = await promisify(execFile)("openssl", [
    "req",
    "-new",
    ...keyArgs,
    "-nodes",
    "-keyout",
    "/dev/null",
    "-subj",
    subject,
  ]);
  return stdout;
}

interface Csr extends KubeObject {
  spec: { username?: string; groups?: string[]; request: string; signerName: string; usages?: string[] };
  status: {
    conditions?: {
      type: string;
      status: string;
      reason?: string;
      lastUpdateTime?: string;
      lastTransitionTime?: string;
    }[];
    certificate?: string;
  };
}

describe("stand-in CertificateSigningRequests (certificates.k8s.io/v1)", () => {
  let standIn: StandIn;
  let kubectl: KubectlSandbox;
  let admin: string;
  let pem: string;
  const run = (args: string[], input?: string, kubeconfig = admin) =>
    kubectl.run(kubeconfig, args, { input });
  const manifest = (name: string, extra: Record<string, unknown> = {}, request = pem) =>
    JSON.stringify({
      apiVersion: `${CERTS}/v1`,
      kind: "CertificateSigningRequest",
      metadata: { name },
      spec: {
        request: Buffer.from(request).toString("base64"),
        signerName: CLIENT_SIGNER,
        usages: ["client auth"],
        ...extra,
      },
    });
  const stored = (name: string) => standIn.store.get("certificatesigningrequests", { name }) as Csr;
  /** A ServiceAccount in "certs" bound cluster-wide to each ClusterRole, and its kubeconfig. */
  async function identity(name: string, ...clusterRoles: string[]): Promise<string> {
    let token = "";
    for (const clusterRole of clusterRoles) {
      token = await serviceAccountToken(standIn, "certs", name, { clusterRole, scope: "cluster" });
    }
    const path = join(kubectl.dir, `${name}.kubeconfig`);
    await standIn.writeKubeconfig(path, { token, context: name });
    return path;
  }

  before(async () => {
    standIn = await startStandIn();
    ensureNamespace(standIn, "certs");
    kubectl = await kubectlSandbox();
    admin = join(kubectl.dir, "admin.kubeconfig");
    await standIn.writeKubeconfig(admin);
    pem = await csrPem("/CN=mallory/O=devs");
  });
  after(async () => {
    await kubectl.cleanup();
    await standIn.close();
  });

  it("kubectl create -f records who asked, not what the body claims, starts with an empty status, and get csr prints the columns", async () => {
    const body = JSON.parse(
      manifest("mallory", { expirationSeconds: 31536000, username: "spoofed", groups: ["x"] }),
    );
    body.status = { conditions: [{ type: "Approved", status: "True" }] };
    const created = await run(["create", "-f", "-"], JSON.stringify(body));
    assert.deepEqual(
      [created.code, created.stdout],
      [0, `certificatesigningrequest.${CERTS}/mallory created\n`],
      created.stderr,
    );
    const csr = stored("mallory");
    assert.equal(csr.spec.username, "kubernetes-admin");
    assert.deepEqual(csr.spec.groups, ["system:masters", "system:authenticated"]);
    assert.deepEqual(csr.status, {});
    const table = await run(["get", "csr"]);
    assert.match(table.stdout, /^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION\n/);
    assert.match(
      table.stdout,
      /\nmallory\s+\d+s\s+kubernetes\.io\/kube-apiserver-client\s+kubernetes-admin\s+365d\s+Pending\n/,
    );
    const bySigner = await asAdmin(
      standIn,
      `${csrPath()}?fieldSelector=spec.signerName%3D${encodeURIComponent(CLIENT_SIGNER)}`,
    );
    assert.deepEqual(
      bySigner.json<{ items: KubeObject[] }>().items.map((i) => i.metadata.name),
      ["mallory"],
    );
  });

  it("decodes the protobuf a typed client sends", async () => {
    const spec = message(
      field(1, Buffer.from(pem)),
      field(5, "client auth"),
      field(7, CLIENT_SIGNER),
      field(8, 3600),
    );
    const body = protobufObject(
      `${CERTS}/v1`,
      "CertificateSigningRequest",
      message(field(1, message(field(1, "typed"))), field(2, spec)),
    );
    const res = await asAdmin(standIn, csrPath(), { method: "POST", body, contentType: PROTOBUF });
    assert.equal(res.status, 201, res.text);
    const csr = stored("typed");
    assert.equal(Buffer.from(csr.spec.request, "base64").toString(), pem);
    assert.deepEqual(
      [csr.spec.usages, (csr.spec as { expirationSeconds?: number }).expirationSeconds],
      [["client auth"], 3600],
    );
  });

  it("kubectl certificate approve PUTs the approval subresource in protobuf; the condition gets its times, no certificate comes", async () => {
    const approved = await run(["certificate", "approve", "mallory"]);
    assert.deepEqual(
      [approved.code, approved.stdout],
      [0, `certificatesigningrequest.${CERTS}/mallory approved\n`],
      approved.stderr,
    );
    const put = standIn.requests.find((r) => r.method === "PUT" && r.path === csrPath("mallory/approval"));
    assert.equal(put?.status, 200);
    assert.equal(put?.contentType, PROTOBUF);
    const [condition] = stored("mallory").status.conditions ?? [];
    assert.equal(condition?.type, "Approved");
    assert.equal(condition?.status, "True");
    assert.equal(condition?.reason, "KubectlApprove");
    assert.match(condition?.lastUpdateTime ?? "", /Z$/);
    assert.match(condition?.lastTransitionTime ?? "", /Z$/);
    assert.equal(stored("mallory").status.certificate, undefined, "no signer runs");
    assert.match((await run(["get", "csr", "mallory"])).stdout, /\s+Approved\n$/);
  });

  it("RBAC as upstream: admin holds no CSR rights; approving needs update on …/approval and approve on the signer", async () => {
    const teamAdmin = await identity("team-admin", "admin");
    const refused = await run(["create", "-f", "-"], manifest("by-admin"), teamAdmin);
    assert.match(
      refused.stderr,
      /certificatesigningrequests\.certificates\.k8s\.io is forbidden: User "system:serviceaccount:certs:team-admin" cannot create resource "certificatesigningrequests" in API group "certificates\.k8s\.io" at the cluster scope/,
    );
    const requester = await identity("requester", "system:node-bootstrapper");
    const made = await run(["create", "-f", "-"], manifest("asked"), requester);
    assert.equal(made.code, 0, made.stderr);
    assert.equal(stored("asked").spec.username, "system:serviceaccount:certs:requester");
    const notAllowed = await run(["certificate", "approve", "asked"], undefined, requester);
    assert.match(
      notAllowed.stderr,
      /User "system:serviceaccount:certs:requester" cannot update resource "certificatesigningrequests\/approval" in API group "certificates\.k8s\.io" at the cluster scope/,
    );

    standIn.store.create({
      kind: "ClusterRole",
      metadata: { name: "csr-approval" },
      rules: [
        { verbs: ["get", "list"], apiGroups: [CERTS], resources: ["certificatesigningrequests"] },
        { verbs: ["update"], apiGroups: [CERTS], resources: ["certificatesigningrequests/approval"] },
      ],
    });
    const approver = await identity("approver", "csr-approval");
    const noSigner = await run(["certificate", "approve", "asked"], undefined, approver);
    assert.match(
      noSigner.stderr,
      /certificatesigningrequests\.certificates\.k8s\.io "asked" is forbidden: user not permitted to approve requests with signerName "kubernetes\.io\/kube-apiserver-client"/,
    );
    await identity("approver", "system:certificates.k8s.io:kube-apiserver-client-approver");
    const approved = await run(["certificate", "approve", "asked"], undefined, approver);
    assert.equal(approved.code, 0, approved.stderr);

    assert.equal(
      (await run(["create", "-f", "-"], manifest("custom", { signerName: "example.com/custom" }))).code,
      0,
    );
    const custom = await run(["certificate", "approve", "custom"], undefined, approver);
    assert.match(
      custom.stderr,
      /user not permitted to approve requests with signerName "example\.com\/custom"/,
    );
    standIn.store.create({
      kind: "ClusterRole",
      metadata: { name: "example-approver" },
      rules: [
        { verbs: ["approve"], apiGroups: [CERTS], resources: ["signers"], resourceNames: ["example.com/*"] },
      ],
    });
    await identity("approver", "example-approver");
    assert.equal((await run(["certificate", "approve", "custom"], undefined, approver)).code, 0);
  });

  it("refuses a kube-apiserver-client request for system:masters, and invalid requests in the API server's words", async () => {
    const masters = await run(
      ["create", "-f", "-"],
      manifest("masters", {}, await csrPem("/CN=root/O=system:masters", "rsa")),
    );
    assert.match(
      masters.stderr,
      /certificatesigningrequests\.certificates\.k8s\.io "masters" is forbidden: use of kubernetes\.io\/kube-apiserver-client signer with system:masters group is not allowed/,
    );
    const elsewhere = await run(
      ["create", "-f", "-"],
      manifest(
        "masters-elsewhere",
        { signerName: "example.com/x" },
        await csrPem("/CN=root/O=system:masters"),
      ),
    );
    assert.equal(elsewhere.code, 0, "only the kube-apiserver-client signer is restricted");

    const res = await asAdmin(standIn, csrPath(), {
      method: "POST",
      body: JSON.parse(
        manifest(
          "bad",
          { signerName: "nodomain", usages: ["client auth", "flying"], expirationSeconds: 300 },
          "hi\n",
        ),
      ),
    });
    assert.equal(res.status, 422);
    assert.equal(
      res.json().message,
      'CertificateSigningRequest.certificates.k8s.io "bad" is invalid: [spec.request: Invalid value: []byte{0x68, 0x69, 0xa}: PEM block type must be CERTIFICATE REQUEST, spec.usages[1]: Unsupported value: "flying": supported values: "any", "cert sign", "client auth", "code signing", "content commitment", "crl sign", "data encipherment", "decipher only", "digital signature", "email protection", "encipher only", "ipsec end system", "ipsec tunnel", "ipsec user", "key agreement", "key encipherment", "microsoft sgc", "netscape sgc", "ocsp signing", "s/mime", "server auth", "signing", "timestamping", spec.signerName: Invalid value: "nodomain": must be a fully qualified domain and path of the form \'example.com/signer-name\', spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 600 seconds (10 minutes)]',
    );
    const legacy = await asAdmin(standIn, csrPath(), {
      method: "POST",
      body: JSON.parse(manifest("legacy", { signerName: "kubernetes.io/legacy-unknown", usages: [] })),
    });
    assert.equal(
      legacy.json().message,
      'CertificateSigningRequest.certificates.k8s.io "legacy" is invalid: [spec.usages: Required value, spec.signerName: Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version]',
    );
  });

  it("keeps spec and status out of reach of plain updates; approval and status subresources each change only their part", async () => {
    assert.equal((await run(["create", "-f", "-"], manifest("locked"))).code, 0);
    const before = stored("locked");
    const put = await asAdmin(standIn, csrPath("locked"), {
      method: "PUT",
      body: {
        ...before,
        spec: { ...before.spec, usages: ["server auth"] },
        status: { conditions: [{ type: "Approved", status: "True" }] },
      },
    });
    assert.equal(put.status, 200);
    assert.deepEqual([stored("locked").spec, stored("locked").status], [before.spec, {}]);

    const approval = (conditions: unknown[]) =>
      asAdmin(standIn, csrPath("locked/approval"), {
        method: "PUT",
        body: { ...stored("locked"), status: { conditions } },
      });
    const both = await approval([
      { type: "Approved", status: "True" },
      { type: "Denied", status: "True" },
    ]);
    assert.equal(both.status, 422);
    assert.match(
      both.json<{ message: string }>().message,
      /status\.conditions\[1\]\.type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive/,
    );
    const viaStatus = await asAdmin(standIn, csrPath("locked/status"), {
      method: "PUT",
      body: { ...stored("locked"), status: { conditions: [{ type: "Approved", status: "True" }] } },
    });
    assert.equal(viaStatus.status, 422);
    assert.match(
      viaStatus.json<{ message: string }>().message,
      /status\.conditions: Forbidden: updates may not add a condition of type "Approved"/,
    );
    assert.equal((await approval([{ type: "Approved", status: "True" }])).status, 200);
    const removed = await approval([]);
    assert.equal(removed.status, 422);
    assert.match(
      removed.json<{ message: string }>().message,
      /updates may not remove a condition of type "Approved"/,
    );

    const certificate = (pemText: string) =>
      asAdmin(standIn, csrPath("locked/status"), {
        method: "PUT",
        body: {
          ...stored("locked"),
          status: { ...stored("locked").status, certificate: Buffer.from(pemText).toString("base64") },
        },
      });
    const garbage = await certificate("not a certificate");
    assert.equal(garbage.status, 422);
    assert.match(
      garbage.json<{ message: string }>().message,
      /status\.certificate: Invalid value: "<certificate data>": must contain at least one CERTIFICATE PEM block/,
    );
    assert.equal((await certificate(standIn.caCert)).status, 200);
    assert.match((await run(["get", "csr", "locked"])).stdout, /\s+Approved,Issued\n$/);

    const patched = await asAdmin(standIn, `${csrPath("locked/approval")}?fieldManager=ci`, {
      method: "PATCH",
      contentType: "application/apply-patch+yaml",
      body: {
        apiVersion: `${CERTS}/v1`,
        kind: "CertificateSigningRequest",
        metadata: { name: "locked" },
        status: { conditions: [{ type: "Approved", status: "True", reason: "ByApply" }] },
      },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(stored("locked").status.conditions?.[0]?.reason, "ByApply");
    const entry = (
      stored("locked").metadata.managedFields as { manager: string; subresource?: string }[]
    ).find((m) => m.manager === "ci");
    assert.equal(entry?.subresource, "approval");
  });

  it("is in discovery with its short name and subresources; the bootstrap roles hold exactly upstream's CSR rights", async () => {
    const list = (await asAdmin(standIn, `/apis/${CERTS}/v1`)).json<{
      resources: { name: string; verbs: string[]; shortNames?: string[] }[];
    }>();
    assert.deepEqual(
      list.resources.map((r) => r.name),
      [
        "certificatesigningrequests",
        "certificatesigningrequests/approval",
        "certificatesigningrequests/status",
      ],
    );
    assert.deepEqual(list.resources[0]?.shortNames, ["csr"]);
    assert.deepEqual(list.resources[1]?.verbs, ["get", "patch", "update"]);
    for (const name of ["admin", "edit", "view"]) {
      const rules = (standIn.store.get("clusterroles", { name }).rules as { apiGroups?: string[] }[]) ?? [];
      assert.ok(!rules.some((r) => r.apiGroups?.includes(CERTS)), `${name} holds no CSR rights`);
    }
    const rulesOf = (name: string) => standIn.store.get("clusterroles", { name }).rules;
    assert.deepEqual(rulesOf("system:node-bootstrapper"), [
      {
        verbs: ["create", "get", "list", "watch"],
        apiGroups: [CERTS],
        resources: ["certificatesigningrequests"],
      },
    ]);
    for (const [role, signer] of [
      ["kube-apiserver-client", "kubernetes.io/kube-apiserver-client"],
      ["kube-apiserver-client-kubelet", "kubernetes.io/kube-apiserver-client-kubelet"],
      ["kubelet-serving", "kubernetes.io/kubelet-serving"],
      ["legacy-unknown", "kubernetes.io/legacy-unknown"],
    ]) {
      assert.deepEqual(rulesOf(`system:certificates.k8s.io:${role}-approver`), [
        { verbs: ["approve"], apiGroups: [CERTS], resources: ["signers"], resourceNames: [signer] },
      ]);
    }
    assert.deepEqual(rulesOf("system:certificates.k8s.io:certificatesigningrequests:nodeclient"), [
      { verbs: ["create"], apiGroups: [CERTS], resources: ["certificatesigningrequests/nodeclient"] },
    ]);
  });
});
