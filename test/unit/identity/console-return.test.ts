import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { consoleReturnPath } from "../../../src/identity/redirects.ts";

describe("where a console sign-in lands", () => {
  it("keeps a console path with its query, without a fragment", () => {
    assert.equal(consoleReturnPath("/ui/"), "/ui/");
    assert.equal(consoleReturnPath("/ui/requests/abc123"), "/ui/requests/abc123");
    assert.equal(consoleReturnPath("/ui/grants?all=1"), "/ui/grants?all=1");
    assert.equal(consoleReturnPath("/ui/requests#top"), "/ui/requests");
  });

  it("falls back to /ui/ for anything that could leave the console", () => {
    for (const bad of [
      undefined,
      ["/ui/a", "/ui/b"],
      "",
      "/ui",
      "//evil.example",
      "https://evil.example/",
      "https://evil.example/ui/",
      "/v1/whoami",
      "/ui/../v1/logout",
      "/ui/%2e%2e/v1/logout",
      "/ui/.%2E/.%2e/v1",
      "/ui/\\\\evil.example",
      "/ui/\nLocation: https://evil.example",
      "/UI/requests",
      `/ui/${"a".repeat(3000)}`,
    ]) {
      assert.equal(consoleReturnPath(bad), "/ui/", JSON.stringify(bad));
    }
  });
});
