import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  encodeRecord,
  RECORD_OVERHEAD,
  type RecordCode,
  RecordWriter,
  renderCast,
} from "../../../src/recording/recorded-events.ts";
import { castEvent, castHeader, parseCast } from "../../../src/shared/asciicast.ts";

const record = (code: RecordCode, seconds: number, data: string | Buffer) =>
  encodeRecord(code, seconds, typeof data === "string" ? Buffer.from(data) : data);
const header = castHeader({ width: 80, height: 24, timestamp: 1_700_000_000, command: "sh" });

describe("recorded events, rendered as asciicast", () => {
  it("gives the header as stored, then o, i, r and m events with their times", () => {
    const batch = Buffer.concat([
      record("h", 0, header),
      record("o", 0.25, "/ # "),
      record("i", 1.5, "ls\r"),
      record("e", 1.6, "ls: denied\r\n"),
      record("r", 2, "120x40"),
      record("m", 2.5, "a note"),
    ]);
    const text = renderCast([batch]);
    assert.equal(
      text,
      header +
        castEvent(0.25, "o", "/ # ") +
        castEvent(1.5, "i", "ls\r") +
        castEvent(1.6, "o", "ls: denied\r\n") +
        castEvent(2, "r", "120x40") +
        castEvent(2.5, "m", "a note"),
    );
    assert.equal(parseCast(text).events.length, 5);
  });

  it("joins a character split across records and batches, each stream on its own", () => {
    const euro = Buffer.from("€");
    const text = renderCast([
      Buffer.concat([record("h", 0, header), record("o", 1, euro.subarray(0, 1)), record("e", 1, "x")]),
      Buffer.concat([record("o", 2, Buffer.concat([euro.subarray(1), Buffer.from(" ok")]))]),
    ]);
    assert.deepEqual(parseCast(text).events, [
      [1, "o", "x"],
      [2, "o", "€ ok"],
    ]);
  });

  it("writes a character cut off at the end as U+FFFD, at its stream's last time", () => {
    const text = renderCast([record("o", 3, Buffer.from("€").subarray(0, 2))]);
    assert.deepEqual(parseCast(`${header}${text}`).events, [[3, "o", "\ufffd"]]);
  });

  it("refuses a batch that ends inside a record or holds an unknown code", () => {
    const whole = record("o", 1, "hello");
    assert.throws(() => renderCast([whole.subarray(0, whole.length - 1)]), /ends inside a record/);
    assert.throws(() => renderCast([whole.subarray(0, RECORD_OVERHEAD - 1)]), /ends inside a record/);
    const bad = Buffer.from(whole);
    bad[0] = 0x7a;
    assert.throws(() => renderCast([bad]), /unknown record code/);
  });

  it("a writer hands out whole records in order, copied, however they were split into arenas", () => {
    const writer = new RecordWriter();
    const relayed = Buffer.from("x".repeat(100_000));
    const expected: Buffer[] = [];
    for (let i = 0; i < 9; i++) {
      writer.add("o", i, relayed);
      expected.push(encodeRecord("o", i, relayed));
    }
    relayed.fill("y"); // the relay's buffer changes: the records do not
    const first = writer.take();
    assert.equal(writer.bytes, 0);
    writer.add("i", 10, Buffer.from("ls\r"));
    expected.push(encodeRecord("i", 10, Buffer.from("ls\r")));
    const second = writer.take();
    assert.deepEqual(Buffer.concat([...first, ...second]), Buffer.concat(expected));
    assert.deepEqual(writer.take(), []);
  });
});
