import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  missingParams,
  paramsFor,
  parseReportLocation,
  REPORTS,
  reportApiPath,
  reportSearch,
  reportsFor,
} from "../../../src/console/ui/report-specs.ts";

const spec = (kind: string) => REPORTS.find((r) => r.kind === kind)!;

describe("the reports the console offers", () => {
  it("offers the review and the RBAC scan to admins only, as their routes allow", () => {
    assert.deepEqual(
      reportsFor(false).map((r) => r.kind),
      ["usage", "unused", "access"],
    );
    assert.deepEqual(
      reportsFor(true).map((r) => r.kind),
      ["usage", "unused", "access", "review", "rbac"],
    );
  });

  it("takes the parameters report-query.ts allows, the user only from admins", () => {
    const names = (kind: string, admin: boolean) => paramsFor(spec(kind), admin).map((p) => p.name);
    assert.deepEqual(names("usage", true), ["since", "cluster", "role", "user", "grant", "ciRule"]);
    assert.deepEqual(names("usage", false), ["since", "cluster", "role", "grant", "ciRule"]);
    assert.deepEqual(names("unused", false), ["since", "cluster"]);
    assert.deepEqual(names("access", true), ["since", "cluster", "namespace", "resource", "user"]);
    assert.deepEqual(names("review", true), ["since", "unusedFor", "olderThan", "cluster"]);
    assert.deepEqual(names("rbac", true), ["cluster"]);
  });
});

describe("a report in the URL", () => {
  it("reads the report and its parameters, dropping empty and unknown ones", () => {
    const { spec: chosen, params } = parseReportLocation(
      "?kind=access&since=7d&resource=secrets&verb=get&namespace=",
      true,
    );
    assert.equal(chosen.kind, "access");
    assert.deepEqual(params, { since: "7d", resource: "secrets" });
  });

  it("falls back to usage for no kind, an unknown one, or one the person is not offered", () => {
    assert.equal(parseReportLocation("", false).spec.kind, "usage");
    assert.equal(parseReportLocation("?kind=nope", true).spec.kind, "usage");
    assert.equal(parseReportLocation("?kind=rbac&cluster=test", false).spec.kind, "usage");
    assert.equal(parseReportLocation("?kind=rbac&cluster=test", true).spec.kind, "rbac");
  });

  it("drops a user a non-admin put in the URL (the API would refuse it)", () => {
    assert.deepEqual(parseReportLocation("?kind=usage&user=someone@example.com", false).params, {});
    assert.deepEqual(parseReportLocation("?kind=usage&user=someone@example.com", true).params, {
      user: "someone@example.com",
    });
  });

  it("writes the page's query and the API's path from the same parameters", () => {
    const usage = spec("usage");
    const params = { cluster: "test", since: "7d", role: " ", grant: "g-1" };
    assert.equal(reportSearch(usage, params), "kind=usage&since=7d&cluster=test&grant=g-1");
    assert.equal(reportApiPath(usage, params), "/v1/reports/usage?since=7d&cluster=test&grant=g-1");
    assert.equal(reportApiPath(spec("unused"), {}), "/v1/reports/unused");
  });

  it("asks for nothing until a required parameter is given", () => {
    assert.deepEqual(
      missingParams(spec("rbac"), {}).map((p) => p.name),
      ["cluster"],
    );
    assert.deepEqual(missingParams(spec("rbac"), { cluster: "test" }), []);
    assert.deepEqual(missingParams(spec("usage"), {}), []);
  });
});
