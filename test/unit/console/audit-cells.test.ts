import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decisionClass, outcomeOf, resourceOf, verbOf } from "../../../src/console/ui/audit-cells.ts";
import type { AuditRecord } from "../../../src/console/ui/audit-types.ts";

const request = (fields: Record<string, string>) =>
  ({ type: "request", phase: "end", verb: "get", resource: "pods", ...fields }) as unknown as AuditRecord;
const lifecycle = (fields: Record<string, string>) =>
  ({ type: "lifecycle", ...fields }) as unknown as AuditRecord;

describe("an audit record's row", () => {
  it("shows a request's verb, resource, object and outcome", () => {
    const r = request({ subresource: "log", name: "web-1", decision: "allowed", status: "200" });
    assert.equal(verbOf(r), "get");
    assert.deepEqual(resourceOf(r), { resource: "pods/log", name: "web-1" });
    assert.equal(outcomeOf(r), "allowed 200");
    assert.equal(decisionClass(r), "decision-allowed");
  });

  it("shows a request without a resource by its path, and a start as in flight", () => {
    const r = request({ resource: "", path: "/version", phase: "start", decision: "allowed" });
    assert.deepEqual(resourceOf(r), { resource: "/version", name: "" });
    assert.equal(outcomeOf(r), "in flight");
    assert.equal(decisionClass(r), "");
  });

  it("fills the same columns for a lifecycle event; a delivered report shows its summary", () => {
    const ended = lifecycle({
      event: "grant.ended",
      role: "edit",
      request: "req1",
      detail: "revoked by admin",
    });
    assert.equal(verbOf(ended), "grant.ended");
    assert.deepEqual(resourceOf(ended), { resource: "edit", name: "req1" });
    assert.equal(outcomeOf(ended), "revoked by admin");
    const report = lifecycle({
      event: "report.delivered",
      detail: JSON.stringify({ text: "3 unused grants" }),
    });
    assert.equal(outcomeOf(report), "3 unused grants");
    assert.equal(outcomeOf(lifecycle({ event: "login", detail: "" })), "—");
  });
});
