import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { onCallSchema } from "../../../src/config/oncall-schema.ts";
import { OnCallCalendar } from "../../../src/oncall/ical-calendar.ts";
import { createPersonReader } from "../../../src/oncall/shift-people.ts";

const person = (settings: Record<string, unknown> = {}) =>
  onCallSchema.parse({ schedules: [{ name: "s", file: "/f", person: settings }] }).schedules[0]!.person;

/** One all-day-long event today, with the given lines, read by the given settings. */
function peopleIn(lines: string[], settings: Record<string, unknown> = {}): string[] {
  const ics = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//test//EN",
    "BEGIN:VEVENT",
    "UID:shift-1",
    "DTSTAMP:20260101T000000Z",
    "DTSTART:20260101T000000Z",
    "DTEND:20260102T000000Z",
    ...lines,
    "END:VEVENT",
    "END:VCALENDAR",
    "",
  ].join("\r\n");
  return new OnCallCalendar(ics, createPersonReader(person(settings))).peopleAt(
    Date.parse("2026-01-01T12:00:00Z"),
  );
}

/** The shapes on-call tools give their feeds' events. */
describe("who holds a shift", () => {
  it("PagerDuty: the ATTENDEE's mailto address, not the display name in SUMMARY", () => {
    assert.deepEqual(
      peopleIn(["SUMMARY:On Call - Jane Doe - Primary", "ATTENDEE;CN=Jane Doe:mailto:Jane.Doe@Example.com"]),
      ["jane.doe@example.com"],
    );
  });

  it("several attendees are all on call; a non-mailto attendee is not read", () => {
    assert.deepEqual(
      peopleIn([
        "SUMMARY:x",
        "ATTENDEE:mailto:a@example.com",
        "ATTENDEE:mailto:b@example.com",
        "ATTENDEE:urn:uuid:1",
      ]),
      ["a@example.com", "b@example.com"],
    );
  });

  it("Grafana OnCall: '[L1] user' in SUMMARY, an address or a login", () => {
    assert.deepEqual(peopleIn(["SUMMARY:[L1] jane@example.com"]), ["jane@example.com"]);
    assert.deepEqual(peopleIn(["SUMMARY:[L2] jdoe"]), ["jdoe"]);
    assert.deepEqual(peopleIn(["SUMMARY:Rotation L1: jane@example.com"]), ["jane@example.com"]);
  });

  it("display names map to the broker's user names, whatever their case", () => {
    assert.deepEqual(peopleIn(["SUMMARY:Jane Doe"], { names: { "jane doe": "jane@example.com" } }), [
      "jane@example.com",
    ]);
  });

  it("a pattern picks the person out of SUMMARY", () => {
    assert.deepEqual(peopleIn(["SUMMARY:Primary (jdoe) - week 3"], { pattern: "\\((\\w+)\\)" }), ["jdoe"]);
    assert.deepEqual(peopleIn(["SUMMARY:no one here"], { pattern: "\\((\\w+)\\)" }), []);
  });

  it("the sources are tried in the order given", () => {
    const lines = [
      "SUMMARY:sam@example.com",
      "DESCRIPTION:kim@example.com",
      "ATTENDEE:mailto:lee@example.com",
    ];
    assert.deepEqual(peopleIn(lines, { from: ["description", "attendee"] }), ["kim@example.com"]);
    assert.deepEqual(peopleIn(lines.slice(0, 2), { from: ["attendee"] }), [], "only the sources named");
  });

  it("a cancelled event holds no shift", () => {
    assert.deepEqual(peopleIn(["SUMMARY:a@example.com", "STATUS:CANCELLED"]), []);
  });

  it("the config refuses a pattern without a capture group", () => {
    assert.throws(() => person({ pattern: "no group" }), /capture group/);
    assert.throws(() => person({ pattern: "(" }), /capture group/);
  });
});
