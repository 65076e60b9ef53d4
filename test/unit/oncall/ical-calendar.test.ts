import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { onCallSchema } from "../../../src/config/oncall-schema.ts";
import { OnCallCalendar } from "../../../src/oncall/ical-calendar.ts";
import { createPersonReader } from "../../../src/oncall/shift-people.ts";
import { ROTATION_ICS } from "../../support/oncall-feed.ts";

const defaults = () =>
  onCallSchema.parse({ schedules: [{ name: "sre", file: "/dev/null" }] }).schedules[0]!.person;
const at = (iso: string) => Date.parse(iso);

/** Who is on call, over a real feed: a weekly Europe/Berlin rotation with its VTIMEZONE. */
describe("on-call calendar", () => {
  const calendar = new OnCallCalendar(ROTATION_ICS, createPersonReader(defaults()));

  it("reads the weekly rotation from its RRULEs, hand-over at 09:00 Berlin time", () => {
    assert.deepEqual(calendar.peopleAt(at("2026-10-05T07:00:00Z")), ["alice@example.com"]);
    assert.deepEqual(calendar.peopleAt(at("2026-10-12T06:59:59Z")), ["alice@example.com"]);
    assert.deepEqual(
      calendar.peopleAt(at("2026-10-12T07:00:00Z")),
      ["bob@example.com"],
      "ATTENDEE addresses are lower-cased",
    );
    assert.deepEqual(calendar.peopleAt(at("2026-10-20T12:00:00Z")), ["carol@example.com"]);
    assert.deepEqual(calendar.peopleAt(at("2026-10-05T06:59:59Z")), [], "nobody before the rotation starts");
  });

  it("keeps the hand-over at 09:00 local across the end of summer time", () => {
    // Carol's shift began 19 October 09:00 CEST (07:00Z) and ends 26 October 09:00 CET (08:00Z).
    assert.deepEqual(calendar.peopleAt(at("2026-10-26T07:30:00Z")), ["carol@example.com"]);
    assert.deepEqual(calendar.peopleAt(at("2026-10-26T08:00:00Z")), ["alice@example.com"]);
    const [shift] = calendar.shiftsAt(at("2026-10-20T00:00:00Z"));
    assert.equal(shift!.end - shift!.start, 169 * 3600_000, "a week and the hour summer time gave back");
    // Alice's turn from the RRULE, the first after the change: 09:00 CET to 09:00 CET.
    assert.deepEqual(calendar.peopleAt(at("2026-11-02T07:59:59Z")), ["alice@example.com"]);
    assert.deepEqual(calendar.peopleAt(at("2026-11-02T08:00:00Z")), ["erin@example.com"]);
  });

  it("an override by RECURRENCE-ID replaces that one occurrence", () => {
    assert.deepEqual(calendar.peopleAt(at("2026-11-03T12:00:00Z")), ["erin@example.com"]);
    assert.deepEqual(
      calendar.peopleAt(at("2026-11-23T12:00:00Z")),
      ["bob@example.com"],
      "bob's next turn stands",
    );
  });

  it("an EXDATE cancels that occurrence and leaves the next", () => {
    assert.deepEqual(calendar.peopleAt(at("2026-11-10T12:00:00Z")), []);
    assert.deepEqual(calendar.peopleAt(at("2026-11-30T12:00:00Z")), ["carol@example.com"]);
  });

  it("an override laid over a shift: both are on call, the override first", () => {
    // Dave's extra shift is 06:00–12:00 New York time (EDT), 10:00–16:00Z, over Bob's week.
    assert.deepEqual(calendar.peopleAt(at("2026-10-13T10:00:00Z")), ["dave@example.com", "bob@example.com"]);
    assert.deepEqual(calendar.peopleAt(at("2026-10-13T16:00:00Z")), ["bob@example.com"]);
    assert.deepEqual(calendar.peopleAt(at("2026-10-13T09:59:00Z")), ["bob@example.com"]);
  });

  it("refuses what is not an iCalendar feed", () => {
    assert.throws(() => new OnCallCalendar("<html>login</html>", createPersonReader(defaults())));
    assert.throws(
      () => new OnCallCalendar("BEGIN:VCARD\r\nVERSION:4.0\r\nEND:VCARD\r\n", createPersonReader(defaults())),
      /not an iCalendar feed/,
    );
  });
});
