import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readObject } from "../../../../src/gateway/guard/request-body.ts";
import { body, KUBECTL } from "./kubectl-bodies.ts";
import { bytes, entry, envelope, message, number, objectMeta } from "./protobuf-encoder.ts";

const PROTOBUF = "application/vnd.kubernetes.protobuf";
const RBAC = "rbac.authorization.k8s.io/v1";
const read = (raw: Buffer) => readObject(PROTOBUF, raw);

describe("readObject: protobuf bodies kubectl 1.32 sends", () => {
  it("reads `create token --duration=8760h` as a TokenRequest for a year", () => {
    const read = readObject(KUBECTL.tokenRequest.contentType, body("tokenRequest"));
    assert.deepEqual(read, {
      object: {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        metadata: {},
        spec: { expirationSeconds: 31536000 },
        status: {},
      },
      format: "protobuf",
      complete: true,
    });
  });

  it("reads `create rolebinding` with its three subjects and roleRef", () => {
    const { object, complete } = readObject(KUBECTL.roleBinding.contentType, body("roleBinding"));
    assert.equal(complete, true);
    assert.deepEqual(object, {
      apiVersion: RBAC,
      kind: "RoleBinding",
      metadata: { name: "rb", namespace: "default" },
      subjects: [
        { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "alice" },
        { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "devs" },
        { kind: "ServiceAccount", name: "sa", namespace: "default" },
      ],
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
    });
  });

  it("reads `create secret` with its type and data in base64, as JSON shows bytes", () => {
    const { object, complete } = readObject(KUBECTL.secret.contentType, body("secret"));
    assert.equal(complete, true);
    assert.deepEqual(object, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s1", namespace: "default" },
      data: { k: Buffer.from("v").toString("base64") },
      type: "kubernetes.io/service-account-token",
    });
  });

  it("reads `create clusterrole`, `create role` and `create clusterrolebinding`", () => {
    assert.deepEqual(readObject(PROTOBUF, body("clusterRole")).object.rules, [
      { verbs: ["get", "list"], apiGroups: [""], resources: ["pods", "secrets"], resourceNames: ["x"] },
    ]);
    assert.deepEqual(readObject(PROTOBUF, body("role")).object, {
      apiVersion: RBAC,
      kind: "Role",
      metadata: { name: "r", namespace: "default" },
      rules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }],
    });
    const binding = readObject(PROTOBUF, body("clusterRoleBinding"));
    assert.equal(binding.complete, true);
    assert.deepEqual(binding.object.subjects, [
      { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "bob" },
    ]);
  });

  it("takes parameters after the media type", () => {
    assert.equal(readObject(`${PROTOBUF}; charset=binary`, body("role")).object.kind, "Role");
  });
});

describe("readObject: protobuf bodies of every guarded kind", () => {
  it("reads a TokenRequest's audiences, bound object and expiration", () => {
    const spec = message(
      2,
      bytes(1, "https://kubernetes.default.svc"),
      bytes(1, "vault"),
      message(3, bytes(1, "Pod"), bytes(2, "v1"), bytes(3, "web-1"), bytes(4, "uid-1")),
      number(4, 600),
    );
    const { object } = read(
      envelope("authentication.k8s.io/v1", "TokenRequest", Buffer.concat([objectMeta("sa", "team-a"), spec])),
    );
    assert.deepEqual(object.spec, {
      audiences: ["https://kubernetes.default.svc", "vault"],
      boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "web-1", uid: "uid-1" },
      expirationSeconds: 600,
    });
  });

  it("shows a pointer field set to zero, as JSON does (expirationSeconds: 0, immutable: false)", () => {
    const token = read(envelope("authentication.k8s.io/v1", "TokenRequest", message(2, number(4, 0))));
    assert.deepEqual(token.object.spec, { expirationSeconds: 0 });
    const secret = read(envelope("v1", "Secret", Buffer.concat([number(5, false), bytes(3, "")])));
    assert.deepEqual(secret.object, { apiVersion: "v1", kind: "Secret", immutable: false });
  });

  it("reads a Secret's data, stringData, labels and annotations as maps", () => {
    const raw = Buffer.concat([
      message(
        1,
        entry(11, "app", bytes(2, "web")),
        entry(12, "kubernetes.io/service-account.name", bytes(2, "ci")),
      ),
      entry(2, "token", bytes(2, Buffer.from([0, 255, 1]))),
      entry(2, "empty", Buffer.alloc(0)),
      entry(4, "password", bytes(2, "hunter2")),
      bytes(3, "kubernetes.io/service-account-token"),
      number(5, true),
    ]);
    assert.deepEqual(read(envelope("v1", "Secret", raw)).object, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { labels: { app: "web" }, annotations: { "kubernetes.io/service-account.name": "ci" } },
      data: { token: "AP8B", empty: "" },
      stringData: { password: "hunter2" },
      type: "kubernetes.io/service-account-token",
      immutable: true,
    });
  });

  it("reads a ClusterRole's aggregationRule with its label selectors", () => {
    const selector = message(
      1,
      entry(1, "rbac.example.com/aggregate-to-admin", bytes(2, "true")),
      message(2, bytes(1, "tier"), bytes(2, "In"), bytes(3, "a"), bytes(3, "b")),
    );
    const { object } = read(envelope(RBAC, "ClusterRole", message(3, selector)));
    assert.deepEqual(object.aggregationRule, {
      clusterRoleSelectors: [
        {
          matchLabels: { "rbac.example.com/aggregate-to-admin": "true" },
          matchExpressions: [{ key: "tier", operator: "In", values: ["a", "b"] }],
        },
      ],
    });
  });

  it("reads a CertificateSigningRequest's spec, extra and status conditions", () => {
    const spec = message(
      2,
      bytes(1, "-----BEGIN CERTIFICATE REQUEST-----"),
      bytes(2, "alice"),
      bytes(3, "uid-a"),
      bytes(4, "system:authenticated"),
      bytes(5, "client auth"),
      bytes(5, "digital signature"),
      entry(6, "scopes", message(2, bytes(1, "a"), bytes(1, "b"))),
      bytes(7, "kubernetes.io/kube-apiserver-client"),
      number(8, 86400),
    );
    const status = message(
      3,
      message(
        1,
        bytes(1, "Approved"),
        bytes(2, "ok"),
        bytes(3, "fine"),
        message(4, number(1, 1700000000)),
        bytes(6, "True"),
      ),
    );
    const { object, complete } = read(
      envelope(
        "certificates.k8s.io/v1",
        "CertificateSigningRequest",
        Buffer.concat([objectMeta("csr-1"), spec, status]),
      ),
    );
    assert.equal(complete, true);
    assert.deepEqual(object, {
      apiVersion: "certificates.k8s.io/v1",
      kind: "CertificateSigningRequest",
      metadata: { name: "csr-1" },
      spec: {
        request: Buffer.from("-----BEGIN CERTIFICATE REQUEST-----").toString("base64"),
        username: "alice",
        uid: "uid-a",
        groups: ["system:authenticated"],
        usages: ["client auth", "digital signature"],
        extra: { scopes: ["a", "b"] },
        signerName: "kubernetes.io/kube-apiserver-client",
        expirationSeconds: 86400,
      },
      status: {
        conditions: [
          {
            type: "Approved",
            reason: "ok",
            message: "fine",
            lastUpdateTime: "2023-11-14T22:13:20Z",
            status: "True",
          },
        ],
      },
    });
  });

  it("reads metadata's owner references, finalizers, managedFields and timestamps", () => {
    const meta = message(
      1,
      bytes(1, "rb"),
      number(7, 3),
      message(8, number(1, 0)),
      number(10, 0),
      message(
        13,
        bytes(1, "Deployment"),
        bytes(3, "web"),
        bytes(4, "u1"),
        bytes(5, "apps/v1"),
        number(6, true),
      ),
      bytes(14, "example.com/keep"),
      message(17, bytes(1, "kubectl"), bytes(2, "Apply"), message(7, bytes(1, '{"f:subjects":{}}'))),
    );
    const { object, complete } = read(envelope(RBAC, "RoleBinding", meta));
    assert.equal(complete, true);
    assert.deepEqual(object.metadata, {
      name: "rb",
      generation: 3,
      creationTimestamp: "1970-01-01T00:00:00Z",
      deletionGracePeriodSeconds: 0,
      ownerReferences: [
        { kind: "Deployment", name: "web", uid: "u1", apiVersion: "apps/v1", controller: true },
      ],
      finalizers: ["example.com/keep"],
      managedFields: [{ manager: "kubectl", operation: "Apply", fieldsV1: { "f:subjects": {} } }],
    });
  });
});
