import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readWords } from "../../../../src/cli/completion/typed-words.ts";

const FLAGS = {
  server: { type: "string" },
  cluster: { type: "string" },
  namespace: { type: "string", short: "n", multiple: true },
  output: { type: "string", short: "o" },
  wait: { type: "boolean" },
  all: { type: "boolean", short: "a" },
} as const;

describe("reading the words typed before the one being completed", () => {
  it("tells a flag's name, a flag's value and an argument apart", () => {
    assert.deepEqual(readWords(["--cl"], FLAGS).completing, { kind: "flag" });
    assert.deepEqual(readWords(["-"], FLAGS).completing, { kind: "flag" });
    assert.deepEqual(readWords(["--cluster", ""], FLAGS).completing, {
      kind: "value",
      flag: "cluster",
      inline: "",
    });
    assert.deepEqual(readWords(["-n", "te"], FLAGS).completing, {
      kind: "value",
      flag: "namespace",
      inline: "",
    });
    assert.deepEqual(readWords(["--wait", ""], FLAGS).completing, { kind: "argument", index: 0 });
    assert.deepEqual(readWords(["req-1", "--wait", "x"], FLAGS).completing, { kind: "argument", index: 1 });
  });

  it("reads --flag=value in the word being completed, and only for a flag that takes one", () => {
    const typed = readWords(["--output=js"], FLAGS);
    assert.deepEqual(typed.completing, { kind: "value", flag: "output", inline: "--output=" });
    assert.equal(typed.current, "js");
    assert.deepEqual(readWords(["--wait=x"], FLAGS).completing, { kind: "flag" });
  });

  it("keeps the values given, as parseArgs reads them: inline, short, grouped", () => {
    const { given } = readWords(
      ["--server=https://b.example", "-n", "team-a", "-nteam-b", "-ao", "json", "--cluster", "prod", ""],
      FLAGS,
    );
    assert.deepEqual(Object.fromEntries(given), {
      server: ["https://b.example"],
      namespace: ["team-a", "team-b"],
      all: [""],
      output: ["json"],
      cluster: ["prod"],
    });
  });

  it("after --, every word is an argument", () => {
    assert.deepEqual(readWords(["--", "-x", "-"], FLAGS).completing, { kind: "argument", index: 1 });
  });
});
