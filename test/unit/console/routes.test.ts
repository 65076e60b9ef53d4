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
    assert.deepEqual(matchRoute("/ui/activity"), { page: "activity" });
    assert.deepEqual(matchRoute("/ui/audit/"), { page: "audit" });
    assert.deepEqual(matchRoute("/ui/alerts"), { page: "alerts" });
    assert.deepEqual(matchRoute("/ui/alerts/a-1"), { page: "alert", id: "a-1" });
    assert.deepEqual(matchRoute("/ui/reports"), { page: "reports" });
    assert.deepEqual(matchRoute("/ui/sessions/"), { page: "sessions" });
    assert.deepEqual(matchRoute("/ui/sessions/01JABC"), { page: "session", id: "01JABC" });
  });

  it("decodes a request id, and treats a malformed one as not found", () => {
    assert.deepEqual(matchRoute("/ui/requests/a%20b"), { page: "request", id: "a b" });
    assert.deepEqual(matchRoute("/ui/requests/%E0%A4%A"), { page: "not-found" });
  });

  it("anything else is not found", () => {
    for (const path of [
      "/",
      "/ui/audits",
      "/ui/requests/a/b",
      "/uix",
      "/ui/grants/x",
      "/ui/audit/x",
      "/ui/sessions/a/cast",
    ]) {
      assert.deepEqual(matchRoute(path), { page: "not-found" }, path);
    }
  });

  it("writes the paths it matches", () => {
    for (const route of [
      { page: "access" },
      { page: "requests" },
      { page: "grants" },
      { page: "request", id: "a b/c" },
      { page: "activity" },
      { page: "audit" },
      { page: "alerts" },
      { page: "alert", id: "x/y" },
      { page: "reports" },
      { page: "sessions" },
      { page: "session", id: "s/1 2" },
    ] as const) {
      assert.deepEqual(matchRoute(pathOf(route)), route);
    }
  });

  it("puts a request's page under Requests in the navigation", () => {
    assert.equal(sectionOf({ page: "request", id: "x" }), "requests");
    assert.equal(sectionOf({ page: "grants" }), "grants");
    assert.equal(sectionOf({ page: "alert", id: "x" }), "alerts");
    assert.equal(sectionOf({ page: "session", id: "x" }), "sessions");
    assert.equal(sectionOf({ page: "sessions" }), "sessions");
    assert.equal(sectionOf({ page: "not-found" }), undefined);
  });
});
