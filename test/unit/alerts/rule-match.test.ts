import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileMatch } from "../../../src/alerts/index.ts";
import { rule } from "../../support/alert-fixtures.ts";
import { lifecycleRecord, requestRecord } from "../../support/audit-fixtures.ts";

const matches = (match: Record<string, unknown>) => compileMatch(rule({ name: "r", match }).match);

describe("alert rule match", () => {
  it("matches users, groups and namespaces by glob, any value of a list", () => {
    const m = matches({ user: "*@example.com", group: ["sre", "dev*"], namespace: ["pay-*", "kube-system"] });
    assert.equal(m(requestRecord({ namespace: "pay-eu" })), true);
    assert.equal(m(requestRecord({ namespace: "kube-system", groups: "ops,sre" })), true);
    assert.equal(m(requestRecord({ namespace: "default" })), false);
    assert.equal(m(requestRecord({ namespace: "pay-eu", user: "x@evil.test" })), false);
    assert.equal(m(requestRecord({ namespace: "pay-eu", groups: "" })), false);
  });

  it("needs every field named to match, and leaves out what is not named", () => {
    assert.equal(matches({})(requestRecord()), true);
    const m = matches({ verb: ["get", "list"], resource: "secrets", name: "db-*" });
    assert.equal(m(requestRecord({ verb: "get", resource: "secrets", name: "db-password" })), true);
    assert.equal(m(requestRecord({ verb: "delete", resource: "secrets", name: "db-password" })), false);
    assert.equal(m(requestRecord({ verb: "list", resource: "secrets", name: "" })), false);
  });

  it("matches no glob, not even *, against a field the record leaves empty", () => {
    assert.equal(matches({ namespace: "*" })(requestRecord({ namespace: "", resource: "nodes" })), false);
  });

  it("compares the API group exactly, so that an empty one is the core group", () => {
    const m = matches({ apiGroup: "", resource: "secrets" });
    assert.equal(m(requestRecord({ resource: "secrets" })), true);
    assert.equal(m(requestRecord({ apiGroup: "example.com", resource: "secrets" })), false);
  });

  it("matches exec, attach and port-forward subresources, and status classes", () => {
    const exec = matches({ subresource: ["exec", "attach", "portforward"] });
    assert.equal(exec(requestRecord({ subresource: "portforward" })), true);
    assert.equal(exec(requestRecord({ subresource: "log" })), false);
    const refused = matches({ statusClass: "4xx", decision: ["denied-by-broker", "denied-by-cluster"] });
    assert.equal(refused(requestRecord({ status: "403", decision: "denied-by-cluster" })), true);
    assert.equal(refused(requestRecord({ status: "500", decision: "error" })), false);
    assert.equal(refused(requestRecord({ status: "", decision: "denied-by-broker" })), false);
  });

  it("matches source IPs by CIDR, IPv4 (also IPv4-mapped IPv6) and IPv6", () => {
    const m = matches({ sourceIp: ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"] });
    assert.equal(m(requestRecord({ sourceIp: "10.20.30.40" })), true);
    assert.equal(m(requestRecord({ sourceIp: "::ffff:10.1.2.3" })), true);
    assert.equal(m(requestRecord({ sourceIp: "2001:db8:1::5" })), true);
    assert.equal(m(requestRecord({ sourceIp: "192.0.2.7" })), true);
    assert.equal(m(requestRecord({ sourceIp: "192.0.2.8" })), false);
    assert.equal(m(requestRecord({ sourceIp: "" })), false);
    assert.equal(m(lifecycleRecord()), false);
  });

  it("matches lifecycle events, and a rule naming an event never matches a request", () => {
    const m = matches({ event: "grant.started", role: "admin" });
    assert.equal(m(lifecycleRecord({ role: "admin" })), true);
    assert.equal(m(lifecycleRecord({ role: "admin", event: "grant.ended" })), false);
    assert.equal(m(requestRecord({ role: "admin" })), false);
    // And the other way: a request field keeps lifecycle records out.
    assert.equal(matches({ verb: "*", user: "*" })(lifecycleRecord()), false);
    assert.equal(matches({ type: "lifecycle" })(requestRecord()), false);
  });

  it("matches a grant's namespaces, comma-joined in lifecycle records", () => {
    assert.equal(matches({ namespace: "pay-*" })(lifecycleRecord({ namespace: "web,pay-eu" })), true);
  });

  it("reads the grant kind each record carries, of kubectl requests and lifecycle events alike", () => {
    const kind = (k: string) => matches({ grantKind: k });
    assert.equal(kind("break-glass")(requestRecord({ grantKind: "break-glass" })), true);
    assert.equal(kind("requested")(requestRecord({ grantKind: "break-glass" })), false);
    assert.equal(kind("ci")(requestRecord({ grantKind: "ci" })), true);
    assert.equal(kind("break-glass")(lifecycleRecord({ grantKind: "break-glass", request: "req-1" })), true);
    assert.equal(
      kind("break-glass")(lifecycleRecord({ event: "request.created", grant: "", grantKind: "break-glass" })),
      true,
      "an access request's records carry the kind it asks for",
    );
    assert.equal(kind("standing")(lifecycleRecord({ event: "login", grant: "", grantKind: "" })), false);
  });

  it("infers grant kinds of records written before they carried one, from grant lifecycle records", () => {
    const kind = (k: string) => matches({ grantKind: k });
    assert.equal(kind("standing")(lifecycleRecord()), true);
    assert.equal(kind("requested")(lifecycleRecord({ request: "req-1" })), true);
    assert.equal(kind("ci")(lifecycleRecord({ detail: "CI rule deploy: repository=acme/web" })), true);
    assert.equal(kind("standing")(lifecycleRecord({ detail: "CI rule deploy: repository=acme/web" })), false);
    // Old request records did not say where their grant came from.
    assert.equal(kind("standing")(requestRecord()), false);
    assert.equal(kind("standing")(lifecycleRecord({ event: "login", grant: "" })), false);
    // A field missing altogether (an entry older than the field) reads like an empty one.
    const { grantKind: _, ...old } = lifecycleRecord({ request: "req-1" });
    assert.equal(kind("requested")(old as ReturnType<typeof lifecycleRecord>), true);
  });

  it("matches nothing for a field given as an empty list (a default rule with nothing configured)", () => {
    const m = compileMatch({ subresource: ["exec"], namespace: [] });
    assert.equal(m(requestRecord({ subresource: "exec" })), false);
  });
});
