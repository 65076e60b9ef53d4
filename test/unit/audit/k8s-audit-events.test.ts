import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type K8sAuditEvent,
  microTime,
  toK8sAuditEvent,
  toK8sAuditEventList,
} from "../../../src/audit/export/k8s-audit-events.ts";
import type { LifecycleAuditRecord, RequestAuditRecord } from "../../../src/audit/record.ts";
import type { AuditEntry } from "../../../src/audit/record-fields.ts";
import { requestRecord } from "../../support/audit-fixtures.ts";
import { testConfig } from "../../support/fakes/test-config.ts";

/**
 * The JSON names and types of audit.k8s.io/v1, from the Go structs' json tags:
 * k8s.io/apiserver/pkg/apis/audit/v1/types.go (Event, ObjectReference), k8s.io/api
 * authentication/v1 UserInfo, k8s.io/apimachinery meta/v1 Status. Every field we write must be
 * one of these, of this type; `required` are the tags without omitempty.
 */
const EVENT = {
  kind: "string",
  apiVersion: "string",
  level: "string",
  auditID: "string",
  stage: "string",
  requestURI: "string",
  verb: "string",
  user: "object",
  impersonatedUser: "object",
  sourceIPs: "string[]",
  userAgent: "string",
  objectRef: "object",
  responseStatus: "object",
  requestObject: "object",
  responseObject: "object",
  requestReceivedTimestamp: "string",
  stageTimestamp: "string",
  annotations: "object",
};
const EVENT_REQUIRED = ["level", "auditID", "stage", "requestURI", "verb", "user"];
const USER_INFO = { username: "string", uid: "string", groups: "string[]", extra: "object" };
const OBJECT_REFERENCE = {
  resource: "string",
  namespace: "string",
  name: "string",
  uid: "string",
  apiGroup: "string",
  apiVersion: "string",
  resourceVersion: "string",
  subresource: "string",
};
const STATUS = {
  kind: "string",
  apiVersion: "string",
  metadata: "object",
  status: "string",
  message: "string",
  reason: "string",
  details: "object",
  code: "number",
};
// metav1.MicroTime marshals as RFC3339 with six fractional digits ("2006-01-02T15:04:05.000000Z07:00").
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return value.every((v) => typeof v === "string") ? "string[]" : "array";
  return value === null ? "null" : typeof value;
}

function assertShape(value: object, shape: Record<string, string>, where: string) {
  for (const [name, field] of Object.entries(value)) {
    assert.ok(name in shape, `${where}.${name} is not a field of the Go type`);
    assert.equal(typeOf(field), shape[name], `${where}.${name}`);
    // omitempty: an empty string or list is left out rather than written.
    assert.ok(field !== "" && !(Array.isArray(field) && field.length === 0), `${where}.${name} is empty`);
  }
}

/** The event checked against the types, field by field. */
function checkedEvent(record: RequestAuditRecord): K8sAuditEvent {
  const event = toK8sAuditEvent(record);
  assertShape(event, EVENT, "Event");
  for (const name of EVENT_REQUIRED) assert.ok(name in event, `Event.${name} is required`);
  assertShape(event.user, USER_INFO, "Event.user");
  if (event.objectRef) assertShape(event.objectRef, OBJECT_REFERENCE, "Event.objectRef");
  if (event.responseStatus) assertShape(event.responseStatus, STATUS, "Event.responseStatus");
  if (event.annotations) for (const v of Object.values(event.annotations)) assert.equal(typeof v, "string");
  assert.match(event.requestReceivedTimestamp, MICRO_TIME);
  assert.match(event.stageTimestamp, MICRO_TIME);
  assert.ok(!("impersonatedUser" in event), "the gateway does not impersonate");
  return event;
}

const ts = "2026-03-02T10:00:05.250Z";

describe("Kubernetes audit events from request records", () => {
  it("maps a get of one pod field by field", () => {
    const event = checkedEvent(
      requestRecord({
        id: "k3vq2m7xa4bcdefg",
        ts,
        durationMs: "1250",
        groups: "developers,oncall",
        name: "web-1",
        path: "/api/v1/namespaces/default/pods/web-1",
        query: "",
        grantKind: "break-glass",
      }),
    );
    assert.deepEqual(event, {
      kind: "Event",
      apiVersion: "audit.k8s.io/v1",
      level: "Metadata",
      auditID: "k3vq2m7xa4bcdefg",
      stage: "ResponseComplete",
      requestURI: "/api/v1/namespaces/default/pods/web-1",
      verb: "get",
      user: { username: "dev@example.com", groups: ["developers", "oncall"] },
      sourceIPs: ["127.0.0.1"],
      userAgent: "kubectl/v1.32.0",
      objectRef: { resource: "pods", namespace: "default", name: "web-1", apiVersion: "v1" },
      responseStatus: { metadata: {}, code: 200 },
      requestReceivedTimestamp: "2026-03-02T10:00:04.000000Z",
      stageTimestamp: "2026-03-02T10:00:05.250000Z",
      annotations: {
        "kube-broker.io/cluster": "prod",
        "kube-broker.io/grant": "g1",
        "kube-broker.io/grant-kind": "break-glass",
        "kube-broker.io/service-account": "kb-dev-g1",
        "kube-broker.io/role": "view",
        "kube-broker.io/decision": "allowed",
        "kube-broker.io/kubectl-command": "kubectl get",
        "kube-broker.io/kubectl-session": "s1",
      },
    });
  });

  it("keeps a list's and a watch's query in requestURI, and names a group's objects by group and version", () => {
    const list = checkedEvent(requestRecord({ verb: "list", path: "/api/v1/namespaces/default/pods" }));
    assert.equal(list.verb, "list");
    assert.equal(list.requestURI, "/api/v1/namespaces/default/pods?limit=500");
    assert.deepEqual(list.objectRef, { resource: "pods", namespace: "default", apiVersion: "v1" });

    const watch = checkedEvent(
      requestRecord({
        verb: "watch",
        apiGroup: "apps",
        resource: "deployments",
        path: "/apis/apps/v1/namespaces/default/deployments",
        query: "watch=true&resourceVersion=812",
      }),
    );
    assert.equal(watch.verb, "watch");
    assert.equal(
      watch.requestURI,
      "/apis/apps/v1/namespaces/default/deployments?watch=true&resourceVersion=812",
    );
    assert.deepEqual(watch.objectRef, {
      resource: "deployments",
      namespace: "default",
      apiGroup: "apps",
      apiVersion: "v1",
    });
  });

  it("writes an exec as create on the pods/exec subresource, keeping our verb in an annotation", () => {
    const event = checkedEvent(
      requestRecord({
        verb: "exec",
        subresource: "exec",
        name: "web-1",
        path: "/api/v1/namespaces/default/pods/web-1/exec",
        query: "command=sh&stdin=true&stdout=true&tty=true",
        status: "101",
        kubectlCommand: "kubectl exec",
      }),
    );
    assert.equal(event.verb, "create");
    assert.deepEqual(event.objectRef, {
      resource: "pods",
      namespace: "default",
      name: "web-1",
      apiVersion: "v1",
      subresource: "exec",
    });
    assert.deepEqual(event.responseStatus, { metadata: {}, code: 101 });
    assert.equal(
      event.requestURI,
      "/api/v1/namespaces/default/pods/web-1/exec?command=sh&stdin=true&stdout=true&tty=true",
    );
    assert.equal(event.annotations?.["kube-broker.io/verb"], "exec");
    assert.equal(event.annotations?.["kube-broker.io/kubectl-command"], "kubectl exec");
  });

  it("maps attach and port-forward to create, a proxy subresource to get, and the legacy proxy path verb as is", () => {
    const verbOf = (overrides: Partial<RequestAuditRecord>) => checkedEvent(requestRecord(overrides)).verb;
    assert.equal(verbOf({ verb: "attach", subresource: "attach", name: "p" }), "create");
    assert.equal(verbOf({ verb: "portforward", subresource: "portforward", name: "p" }), "create");
    assert.equal(verbOf({ verb: "proxy", resource: "services", subresource: "proxy", name: "s" }), "get");
    // /api/v1/proxy/namespaces/ns/pods/p: kube-apiserver's verb is proxy, with no subresource.
    assert.equal(verbOf({ verb: "proxy", name: "p" }), "proxy");
  });

  it("writes logs as a get on pods/log", () => {
    const event = checkedEvent(
      requestRecord({
        verb: "get",
        subresource: "log",
        name: "web-1",
        path: "/api/v1/namespaces/default/pods/web-1/log",
        query: "follow=true&container=app",
      }),
    );
    assert.equal(event.verb, "get");
    assert.equal(event.objectRef?.subresource, "log");
    assert.equal(event.requestURI, "/api/v1/namespaces/default/pods/web-1/log?follow=true&container=app");
    assert.equal(event.annotations?.["kube-broker.io/verb"], undefined, "only when the verbs differ");
  });

  it("writes a request the broker refused as a failure marked denied-by-broker", () => {
    const event = checkedEvent(
      requestRecord({
        verb: "delete",
        resource: "secrets",
        name: "db",
        path: "/api/v1/namespaces/default/secrets/db",
        query: "",
        status: "403",
        durationMs: "2",
        decision: "denied-by-broker",
        bytesOut: "0",
      }),
    );
    assert.deepEqual(event.responseStatus, {
      metadata: {},
      status: "Failure",
      reason: "Forbidden",
      code: 403,
    });
    assert.equal(event.annotations?.["kube-broker.io/decision"], "denied-by-broker");
  });

  it("writes a refusal before any grant was found with an empty user and no grant annotations", () => {
    const event = checkedEvent(
      requestRecord({
        user: "",
        groups: "",
        grant: "",
        role: "",
        serviceAccount: "",
        status: "401",
        decision: "denied-by-broker",
        kubectlCommand: "",
        kubectlSession: "",
      }),
    );
    assert.deepEqual(event.user, {}, "UserInfo is always present, its fields omitempty");
    assert.deepEqual(event.annotations, {
      "kube-broker.io/cluster": "prod",
      "kube-broker.io/decision": "denied-by-broker",
    });
    assert.equal(event.responseStatus?.reason, "Unauthorized");
  });

  it("gives a code with more than one reason no reason, rather than a guess", () => {
    const event = checkedEvent(requestRecord({ verb: "create", status: "409", decision: "allowed" }));
    assert.deepEqual(event.responseStatus, { metadata: {}, status: "Failure", code: 409 });
  });

  it("leaves objectRef out of a non-resource request, as kube-apiserver does", () => {
    const event = checkedEvent(
      requestRecord({
        verb: "get",
        apiVersion: "",
        resource: "",
        namespace: "",
        path: "/version",
        query: "timeout=32s",
      }),
    );
    assert.equal(event.objectRef, undefined);
    assert.equal(event.requestURI, "/version?timeout=32s");
    assert.equal(event.verb, "get");
  });

  it("lists only the end records of requests, in order", () => {
    const entry = (record: RequestAuditRecord | LifecycleAuditRecord, streamId: string) =>
      ({ ...record, streamId }) as AuditEntry;
    const lifecycle: LifecycleAuditRecord = {
      type: "lifecycle",
      event: "grant.started",
      id: "l1",
      ts,
      cluster: "prod",
      user: "dev@example.com",
      groups: "",
      grant: "g1",
      role: "view",
      serviceAccount: "kb-dev-g1",
      grantKind: "standing",
      namespace: "default",
      detail: "",
      request: "",
    };
    const list = toK8sAuditEventList([
      entry(requestRecord({ id: "a", phase: "start", status: "" }), "1-0"),
      entry(lifecycle, "2-0"),
      entry(requestRecord({ id: "b" }), "3-0"),
      entry(requestRecord({ id: "a" }), "4-0"),
    ]);
    assert.deepEqual(Object.keys(list), ["kind", "apiVersion", "metadata", "items"]);
    assert.equal(list.kind, "EventList");
    assert.equal(list.apiVersion, "audit.k8s.io/v1");
    assert.deepEqual(list.metadata, {});
    assert.deepEqual(
      list.items.map((e) => e.auditID),
      ["b", "a"],
    );
  });

  it("writes microsecond times in UTC", () => {
    assert.equal(microTime(Date.parse("2026-01-31T23:59:59.007+02:00")), "2026-01-31T21:59:59.007000Z");
  });
});

describe("audit.export.format", () => {
  const webhook = (extra: Record<string, unknown>) =>
    testConfig({ audit: { export: { kind: "webhook", url: "https://falco.example/k8s-audit", ...extra } } });

  it("takes k8s-audit, and leaves a webhook without a format as it was (JSON arrays)", () => {
    assert.deepEqual(webhook({ format: "k8s-audit" }).audit.export, {
      kind: "webhook",
      url: "https://falco.example/k8s-audit",
      format: "k8s-audit",
    });
    assert.equal((webhook({}).audit.export as { format?: string }).format, undefined);
  });

  it("refuses a format it does not know", () => {
    assert.throws(() => webhook({ format: "yaml" }), /format/);
  });
});
