import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { splitWords } from "../../../tools/stand-in/exec/shell.ts";
import { startsSpdyFrame } from "../../../tools/stand-in/exec/spdy-exec.ts";
import { LineDiscipline, onlcr, ResizeReader, TerminalSize } from "../../../tools/stand-in/exec/terminal.ts";

/** Feeds keys to a fresh line discipline: what it echoed and what it handed over. */
function typed(keys: string): { echo: string; events: unknown[] } {
  let echo = "";
  const events = new LineDiscipline((text) => {
    echo += text;
  }).feed(Buffer.from(keys));
  return { echo, events };
}

describe("the stand-in's pty line discipline", () => {
  it("echoes keys and hands over the line at Enter (\\r or \\n), echoing \\r\\n", () => {
    const { echo, events } = typed("echo hi\r");
    assert.equal(echo, "echo hi\r\n");
    assert.deepEqual(events, [{ type: "line", text: "echo hi" }]);
    assert.deepEqual(typed("a\nb\n").events, [
      { type: "line", text: "a" },
      { type: "line", text: "b" },
    ]);
  });

  it("rubs out with DEL or ^H as \\b \\b, whole characters, never past the line's start", () => {
    const { echo, events } = typed("echoo\x7f hi\r");
    assert.equal(echo, "echoo\b \b hi\r\n");
    assert.deepEqual(events, [{ type: "line", text: "echo hi" }]);
    assert.deepEqual(typed("é\b\x7fx\r").events, [{ type: "line", text: "x" }]);
    assert.equal(typed("\x7f").echo, "");
  });

  it("kills the line with ^U, drops it with ^C, ends input with ^D only on an empty line", () => {
    assert.deepEqual(typed("abc\x15d\r").events, [{ type: "line", text: "d" }]);
    assert.equal(typed("abc\x15").echo, "abc\b \b\b \b\b \b");
    const interrupted = typed("abc\x03");
    assert.equal(interrupted.echo, "abc^C\r\n");
    assert.deepEqual(interrupted.events, [{ type: "interrupt" }]);
    assert.deepEqual(typed("ab\x04\r").events, [{ type: "line", text: "ab" }]);
    assert.deepEqual(typed("\x04").events, [{ type: "eof" }]);
  });

  it("swallows escape sequences such as the arrow keys", () => {
    const { echo, events } = typed("a\x1b[Ab\x1b[1;5Dc\r");
    assert.equal(echo, "abc\r\n");
    assert.deepEqual(events, [{ type: "line", text: "abc" }]);
  });

  it("turns each \\n of the output into \\r\\n (ONLCR)", () => {
    assert.equal(onlcr("a\nb\n").toString(), "a\r\nb\r\n");
    assert.deepEqual(onlcr(Buffer.from([0xff, 0x0a])), Buffer.from([0xff, 0x0d, 0x0a]));
  });
});

describe("terminal size from resize messages", () => {
  it("takes client-go's TerminalSize JSON, skips sizes below 1 and what is not JSON", () => {
    const size = new TerminalSize();
    assert.deepEqual([size.rows, size.cols], [0, 0]);
    size.apply('{"Width":100,"Height":30}');
    assert.deepEqual([size.rows, size.cols], [30, 100]);
    size.apply('{"Width":0,"Height":30}');
    size.apply("not json");
    assert.deepEqual([size.rows, size.cols], [30, 100]);
  });

  it("reads the SPDY resize stream: one JSON value a line, split anywhere", () => {
    const size = new TerminalSize();
    const seen: string[] = [];
    size.onResize = (s) => seen.push(`${s.rows}x${s.cols}`);
    const reader = new ResizeReader(size);
    reader.push(Buffer.from('{"Width":80,"Height":24}\n{"Width":12'));
    reader.push(Buffer.from('0,"Height":40}\n'));
    assert.deepEqual(seen, ["24x80", "40x120"]);
  });
});

describe("the stand-in's shell words and SPDY sniffing", () => {
  it("splits words as a shell does", () => {
    assert.deepEqual(splitWords(` echo  "a b" 'c "d"' e\\ f "" `), ["echo", "a b", 'c "d"', "e f", ""]);
  });

  it("tells a SPDY client's first frame from other bytes as soon as it can", () => {
    assert.equal(startsSpdyFrame(Buffer.from([0x80, 0x03, 0x00])), undefined);
    assert.equal(startsSpdyFrame(Buffer.from([0x80, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a])), true);
    assert.equal(startsSpdyFrame(Buffer.from([0x80, 0x03, 0x00, 0x01, 0xff])), false, "SYN_STREAM flags");
    assert.equal(startsSpdyFrame(Buffer.from([0x80, 0x02])), false, "SPDY/2");
    assert.equal(startsSpdyFrame(Buffer.from("GET")), false);
  });
});
