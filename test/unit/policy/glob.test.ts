import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { globMatch } from "../../../src/policy/glob.ts";

describe("globMatch", () => {
  const cases: [pattern: string, value: string, expected: boolean][] = [
    ["team-*", "team-a", true],
    ["team-*", "team-", true],
    ["team-*", "teamx", false],
    ["team-*", "other-team-a", false],
    ["team-*", "TEAM-a", false],
    ["*", "", true],
    ["*", "anything at all", true],
    ["", "", true],
    ["", "x", false],
    ["prod", "prod", true],
    ["prod", "prod2", false],
    ["prod", "pro", false],
    ["?", "a", true],
    ["?", "", false],
    ["?", "ab", false],
    ["?", "é", true],
    ["?", "😀", true],
    ["a?c", "abc", true],
    ["a?c", "ac", false],
    ["*@example.com", "dev@example.com", true],
    ["*@example.com", "dev@example.com.evil.io", false],
    ["*@example.com", "dev@sub.example.com", false],
    ["*@*example.com", "dev@sub.example.com", true],
    ["*@example.com", "dev@example.org", false],
    ["a*b*c", "abc", true],
    ["a*b*c", "axxbyyc", true],
    ["a*b*c", "axxbyy", false],
    ["*a", "bba", true],
    ["**", "x", true],
    ["a**b", "ab", true],
  ];
  for (const [pattern, value, expected] of cases) {
    it(`${JSON.stringify(pattern)} ${expected ? "matches" : "does not match"} ${JSON.stringify(value)}`, () => {
      assert.equal(globMatch(pattern, value), expected);
    });
  }

  it("treats regular expression syntax as literal text", () => {
    assert.equal(globMatch("a.c", "abc"), false);
    assert.equal(globMatch("a.c", "a.c"), true);
    assert.equal(globMatch("(a|b)", "a"), false);
    assert.equal(globMatch("(a|b)", "(a|b)"), true);
    assert.equal(globMatch("[ab]", "a"), false);
    assert.equal(globMatch("^x$", "^x$"), true);
    assert.equal(globMatch("a+", "aa"), false);
    assert.equal(globMatch("\\*", "\\anything"), true);
  });

  it("stays fast on patterns that make backtracking matchers explode", () => {
    const started = performance.now();
    assert.equal(globMatch(`${"*a".repeat(30)}b`, "a".repeat(5000)), false);
    assert.ok(performance.now() - started < 1000);
  });
});
