import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { matchRoute, pathOf, sectionOf } from "../../../src/console/ui/routes.ts";

describe("console routes", () => {
  it("matches each page, with or without a trailing slash", () => {
    assert.deepEqual(matchRoute("/ui/"), { page: "access" });
    assert.deepEqual(matchRoute("/ui"), { page: "access" });
    assert.deepEqual(matchRoute("/ui/requests"), { page: "requests" });
    assert.deepEqual(matchRoute("/ui/requests/"), { page: "requests" });
    assert.deepEqual(matchRoute("/ui/grants"), { page: "grants" });
    assert.deepEqual(matchRoute("/ui/requests/r-123"), { page: "request", id: "r-123" });
  });

  it("decodes a request id, and treats a malformed one as not found", () => {
    assert.deepEqual(matchRoute("/ui/requests/a%20b"), { page: "request", id: "a b" });
    assert.deepEqual(matchRoute("/ui/requests/%E0%A4%A"), { page: "not-found" });
  });

  it("anything else is not found", () => {
    for (const path of ["/", "/ui/audit", "/ui/requests/a/b", "/uix", "/ui/grants/x"]) {
      assert.deepEqual(matchRoute(path), { page: "not-found" }, path);
    }
  });

  it("writes the paths it matches", () => {
    for (const route of [
      { page: "access" },
      { page: "requests" },
      { page: "grants" },
      { page: "request", id: "a b/c" },
    ] as const) {
      assert.deepEqual(matchRoute(pathOf(route)), route);
    }
  });

  it("puts a request's page under Requests in the navigation", () => {
    assert.equal(sectionOf({ page: "request", id: "x" }), "requests");
    assert.equal(sectionOf({ page: "grants" }), "grants");
    assert.equal(sectionOf({ page: "not-found" }), undefined);
  });
});
