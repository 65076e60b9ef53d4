import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { auditLine, auditTable, shown } from "../../../src/cli/audit/audit-lines.ts";
import { readEvents } from "../../../src/cli/broker/event-stream.ts";
import { grantsTable } from "../../../src/cli/output/grant-view.ts";
import { relativeTime, table } from "../../../src/cli/output/table.ts";

const REQUEST = {
  type: "request",
  phase: "end",
  ts: "2026-01-01T10:00:00.000Z",
  user: "dev@example.com",
  verb: "get",
  resource: "pods",
  subresource: "log",
  name: "web-1",
  namespace: "team-a",
  status: "200",
  decision: "allowed",
  path: "/api/v1/namespaces/team-a/pods/web-1/log",
  kubectlCommand: "kubectl logs",
  cluster: "prod",
  role: "view",
  grant: "g1",
  grantKind: "requested",
  durationMs: "12",
  sourceIp: "10.0.0.7",
};

describe("output for people", () => {
  it("an audit record is one line: time, user, kubectl command, verb, resource, name, namespace, status, result", () => {
    assert.equal(
      auditLine(REQUEST),
      "2026-01-01T10:00:00.000Z  dev@example.com  kubectl logs  get  pods/log  web-1  team-a  200  allowed",
    );
    assert.equal(
      auditLine(REQUEST, true),
      "2026-01-01T10:00:00.000Z  dev@example.com  kubectl logs  get  pods/log  web-1  team-a  200  allowed  prod  view  g1  requested  12ms  10.0.0.7",
      "wide: where the access came from",
    );
    assert.equal(
      auditLine({
        ...REQUEST,
        resource: "",
        subresource: "",
        name: "",
        namespace: "",
        kubectlCommand: "",
        path: "/version",
      }),
      "2026-01-01T10:00:00.000Z  dev@example.com  -  get  /version  -  -  200  allowed",
    );
    assert.equal(
      auditLine({
        type: "lifecycle",
        event: "grant.ended",
        ts: "T",
        user: "dev",
        cluster: "prod",
        role: "view",
        grant: "g1",
        namespace: "web",
        detail: "revoked",
      }),
      "T  dev  -  grant.ended  prod/view  g1  web  -  revoked",
    );
    // A delivered report holds the whole report in its detail; a line shows its summary.
    const report = { text: "rbac on prod: 1 critical, 2 high", content: { findings: [] } };
    assert.equal(
      auditLine({ type: "lifecycle", event: "report.delivered", ts: "T", detail: JSON.stringify(report) }),
      "T  -  -  report.delivered  -  -  -  -  rbac on prod: 1 critical, 2 high",
    );
  });

  it("an audit query's records line up under headers", () => {
    assert.equal(
      auditTable(
        [REQUEST, { ...REQUEST, verb: "list", subresource: "", name: "", kubectlCommand: "kubectl get" }],
        false,
      ),
      [
        "TIME                       USER              COMMAND        VERB   RESOURCE   NAME    NAMESPACE   STATUS   RESULT",
        "2026-01-01T10:00:00.000Z   dev@example.com   kubectl logs   get    pods/log   web-1   team-a      200      allowed",
        "2026-01-01T10:00:00.000Z   dev@example.com   kubectl get    list   pods       -       team-a      200      allowed",
        "",
      ].join("\n"),
    );
    assert.match(
      auditTable([REQUEST], true),
      /^TIME .* RESULT +CLUSTER +ROLE +GRANT +GRANT KIND +DURATION +SOURCE IP\n/,
    );
  });

  it("shows one line per request (its end) unless a phase is asked for", () => {
    assert.equal(shown({ ...REQUEST, phase: "start" }, undefined), false);
    assert.equal(shown({ ...REQUEST, phase: "start" }, "start"), true);
    assert.equal(shown(REQUEST, undefined), true);
    assert.equal(shown({ type: "lifecycle" }, undefined), true);
  });

  it("tables line up like kubectl's", () => {
    assert.equal(
      table(
        ["name", "state"],
        [
          ["a-long-name", "active"],
          ["b", ""],
        ],
      ),
      "NAME          STATE\na-long-name   active\nb             <none>\n",
    );
    const now = Date.parse("2026-01-01T10:00:00Z");
    assert.equal(relativeTime("2026-01-01T10:12:30Z", now), "in 12m30s");
    assert.equal(relativeTime("2026-01-01T09:00:00Z", now), "1h ago");
    const grants = grantsTable(
      [
        {
          id: "g1",
          user: "dev",
          kind: "user",
          reason: "standing access",
          createdAt: "2026-01-01T09:00:00Z",
          serviceAccount: "kube-broker-grants/kb-dev-g1",
          cluster: "prod",
          role: "view",
          namespaces: ["a", "b"],
          clusterWide: false,
          origin: "standing",
          state: "ended",
          endReason: "revoked",
          expiresAt: "2026-01-01T11:00:00Z",
          endedAt: "2026-01-01T09:59:00Z",
        },
      ],
      now,
      { withUser: true },
    );
    assert.equal(
      grants,
      "ID   USER   CLUSTER   ROLE   NAMESPACES   STATE             ENDS     ORIGIN\ng1   dev    prod      view   a,b          ended (revoked)   1m ago   standing\n",
    );
  });
});

describe("the event stream reader", () => {
  it("yields each event's id and data across chunk boundaries, skipping comments", async () => {
    const chunks = [
      "retry: 2000\n\n: heartbeat\n\nid: 1-0\nda",
      'ta: {"a":1}\n\r\nid: 2-0\r\ndata: x\r\ndata: y\r\n\r\n',
    ];
    const events = [];
    for await (const event of readEvents(Readable.from(chunks) as unknown as IncomingMessage))
      events.push(event);
    assert.deepEqual(events, [
      { id: "1-0", data: '{"a":1}' },
      { id: "2-0", data: "x\ny" },
    ]);
  });
});
