import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { castEvent, castHeader, parseCast } from "../../../src/shared/asciicast.ts";

describe("asciicast v2", () => {
  it("writes a header line with what asciinema needs, and only the optional fields given", () => {
    const line = castHeader({ width: 120, height: 40, timestamp: 1767225600.9, command: "sh" });
    assert.ok(line.endsWith("\n"));
    assert.deepEqual(JSON.parse(line), {
      version: 2,
      width: 120,
      height: 40,
      timestamp: 1767225600,
      command: "sh",
    });
    const full = castHeader({
      width: 80,
      height: 24,
      timestamp: 1,
      command: "sh -c 'ls'",
      title: "alice exec team-a/web-1",
      env: { TERM: "xterm-256color" },
    });
    assert.deepEqual(JSON.parse(full).env, { TERM: "xterm-256color" });
    assert.equal(JSON.parse(full).title, "alice exec team-a/web-1");
  });

  it("writes events as JSON arrays with microsecond times", () => {
    assert.equal(castEvent(1.2345678, "o", "hi\r\n"), '[1.234568, "o", "hi\\r\\n"]\n');
    assert.equal(castEvent(0, "i", "l"), '[0, "i", "l"]\n');
    assert.equal(castEvent(-0.5, "r", "100x30"), '[0, "r", "100x30"]\n');
    assert.equal(castEvent(2, "o", '\u001b[1m"é"\u0000'), '[2, "o", "\\u001b[1m\\"é\\"\\u0000"]\n');
  });

  it("reads back what it writes", () => {
    const text =
      castHeader({ width: 80, height: 24, timestamp: 1767225600, command: "sh" }) +
      castEvent(0.1, "o", "$ ") +
      castEvent(0.5, "i", "ls\r") +
      castEvent(0.75, "r", "100x30") +
      castEvent(1, "m", "truncated");
    const cast = parseCast(text);
    assert.deepEqual(cast.header, {
      version: 2,
      width: 80,
      height: 24,
      timestamp: 1767225600,
      command: "sh",
    });
    assert.deepEqual(cast.events, [
      [0.1, "o", "$ "],
      [0.5, "i", "ls\r"],
      [0.75, "r", "100x30"],
      [1, "m", "truncated"],
    ]);
  });

  it("reads asciinema's own files: blank lines, CRLF-free, extra header fields", () => {
    const text =
      '{"version": 2, "width": 80, "height": 24, "timestamp": 1504467315, "idle_time_limit": 2}\n\n[0.248848, "o", "x"]\n';
    assert.deepEqual(parseCast(text).events, [[0.248848, "o", "x"]]);
  });

  it("refuses what is not asciicast v2, naming the line", () => {
    assert.throws(() => parseCast(""), /line 1 is not JSON/);
    assert.throws(
      () => parseCast('{"version":1,"width":80,"height":24}\n'),
      /line 1 is not an asciicast v2 header/,
    );
    const header = castHeader({ width: 80, height: 24, timestamp: 0, command: "sh" });
    assert.throws(() => parseCast(`${header}[1, "o"]\n`), /line 2 is not an asciicast event/);
    assert.throws(() => parseCast(`${header}[1, "z", "x"]\n`), /line 2 is not an asciicast event/);
    assert.throws(() => parseCast(`${header}${castEvent(1, "o", "ok")}[1, "o", "x"\n`), /line 3 is not JSON/);
  });
});
