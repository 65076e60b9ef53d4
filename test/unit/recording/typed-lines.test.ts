import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { TypedLines } from "../../../src/recording/typed-lines.ts";
import { byteByByte, cutAt } from "./decoder-harness.ts";

function typed(input: string | Buffer, options = { maxLines: 100, maxLineLength: 1024 }): TypedLines {
  const lines = new TypedLines(options);
  lines.push(typeof input === "string" ? Buffer.from(input) : input);
  return lines;
}

const lines = (input: string | Buffer) => typed(input).lines();

describe("lines typed in a terminal", () => {
  it("ends a line at CR or LF, CRLF once, and keeps no blank ones", () => {
    assert.deepEqual(lines("ls -la\rcat /etc/passwd\nexit\r\n\r\r\n   \rwhoami  \t\r"), [
      "ls -la",
      "cat /etc/passwd",
      "exit",
      "whoami",
    ]);
    assert.deepEqual(lines("not finished"), []);
  });

  it("applies backspace (DEL and BS), UTF-8 aware", () => {
    assert.deepEqual(lines("lss\x7f -l\r"), ["ls -l"]);
    assert.deepEqual(lines("cd x\b\b\b\b\b\bpwd\r"), ["pwd"]);
    assert.deepEqual(lines("echo héé\x7f\r"), ["echo hé"]);
    assert.deepEqual(lines("echo 日本\x7f\r"), ["echo 日"]);
  });

  it("applies Ctrl-U, Ctrl-W and Ctrl-C", () => {
    assert.deepEqual(lines("rm -rf /\x15ls\r"), ["ls"]);
    assert.deepEqual(lines("kubectl get pods  \x17\x17describe\r"), ["kubectl describe"]);
    assert.deepEqual(lines("sudo reboot\x03uptime\r"), ["uptime"]);
  });

  it("skips escape sequences: arrows, SS3 keys, Alt+key, bracketed paste, OSC and DCS replies", () => {
    assert.deepEqual(lines("ls\x1b[A\x1b[B\x1b[1;5C\x1bOA -l\r"), ["ls -l"]);
    assert.deepEqual(lines("\x1bbecho\x1b\x7f hi\r"), ["echo hi"]);
    assert.deepEqual(lines("\x1b[200~echo pasted\x1b[201~\r"), ["echo pasted"]);
    assert.deepEqual(lines("\x1b]11;rgb:0000/0000/0000\x07id\r\x1bP1$r0m\x1b\\date\r"), ["id", "date"]);
    assert.deepEqual(lines("\x1b(Bps\r"), ["ps"]);
    assert.deepEqual(lines("\x1b[12;3Rtop\r"), ["top"], "a cursor position report");
  });

  it("takes a line break inside a broken escape sequence as typed", () => {
    assert.deepEqual(lines("env\x1b[1\rhostname\r"), ["env", "hostname"]);
  });

  it("ignores other control characters (tab completion, Ctrl-D, Ctrl-A)", () => {
    assert.deepEqual(lines("ku\tbe\x04\x01ctl\r"), ["kubectl"]);
  });

  it("rebuilds the same lines however the bytes are cut", () => {
    const input = Buffer.from(
      "ls -la\r\necho h\u00e9\x7f\x7fhé\x1b[A\x1b[200~paste\x1b[201~\r\x1b]0;t\x1b\\x\x17y\r",
    );
    const expected = lines(input);
    assert.deepEqual(expected, ["ls -la", "echo hépaste", "y"]);
    const each = (pieces: Buffer[]) => {
      const lines = new TypedLines({ maxLines: 100, maxLineLength: 1024 });
      for (const piece of pieces) lines.push(piece);
      return lines.lines();
    };
    assert.deepEqual(each(byteByByte(input)), expected);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 20 }), (offsets) => {
        assert.deepEqual(each(cutAt(offsets)(input)), expected);
      }),
    );
  });

  it("bounds memory: lines past maxLines are dropped, bytes past maxLineLength too", () => {
    const many = typed("a\r".repeat(50), { maxLines: 3, maxLineLength: 10 });
    assert.deepEqual(many.lines(), ["a", "a", "a"]);
    assert.equal(many.truncated, true);
    assert.deepEqual(typed(`${"x".repeat(1_000_000)}\r`, { maxLines: 3, maxLineLength: 10 }).lines(), [
      "xxxxxxxxxx",
    ]);
    // Backspaces erase what was typed past the limit first, then the kept bytes.
    assert.deepEqual(typed(`${"x".repeat(12)}\x7f\x7f\x7fyz\r`, { maxLines: 3, maxLineLength: 10 }).lines(), [
      "xxxxxxxxxy",
    ]);
  });

  it("returns a copy: callers cannot change what it holds", () => {
    const t = typed("a\rb\r");
    t.lines().push("c");
    assert.deepEqual(t.lines(), ["a", "b"]);
  });
});
