import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AlertEvaluator, isOutside } from "../../../src/alerts/index.ts";
import { rule } from "../../support/alert-fixtures.ts";
import { lifecycleRecord } from "../../support/audit-fixtures.ts";
import { FakeAlertStore } from "../../support/fakes/fake-alert-store.ts";
import { ManualClock } from "../../support/fakes/manual-clock.ts";

const at = (iso: string) => Date.parse(iso);
const berlin = {
  timeZone: "Europe/Berlin",
  outside: "07:00-20:00",
  weekdays: ["mon", "tue", "wed", "thu", "fri"] as const,
};
const office = { ...berlin, weekdays: [...berlin.weekdays] };

describe("alert schedule", () => {
  it("reads the hours in the rule's time zone, across the change to summer time", () => {
    // Friday 27 March 2026 is still CET (UTC+1); Monday 30 March is CEST (UTC+2).
    assert.equal(isOutside(office, at("2026-03-27T05:30:00Z")), true, "06:30 CET");
    assert.equal(isOutside(office, at("2026-03-27T06:30:00Z")), false, "07:30 CET");
    assert.equal(isOutside(office, at("2026-03-27T18:30:00Z")), false, "19:30 CET");
    assert.equal(isOutside(office, at("2026-03-30T05:30:00Z")), false, "07:30 CEST");
    assert.equal(isOutside(office, at("2026-03-30T18:30:00Z")), true, "20:30 CEST");
    assert.equal(
      isOutside(office, at("2026-10-26T18:30:00Z")),
      false,
      "19:30 CET again, Monday after the change back",
    );
  });

  it("treats days not listed as outside, by the local weekday", () => {
    assert.equal(isOutside(office, at("2026-03-28T10:00:00Z")), true, "Saturday");
    // 23:30 UTC on Sunday is already Monday 09:00 in Tokyo.
    const tokyo = { ...office, timeZone: "Asia/Tokyo" };
    assert.equal(isOutside(tokyo, at("2026-03-29T23:30:00Z")), false);
    assert.equal(isOutside({ timeZone: "UTC", outside: "07:00-20:00" }, at("2026-03-28T10:00:00Z")), false);
  });

  it("handles half-hour offsets and spans over midnight", () => {
    const india = { timeZone: "Asia/Kolkata", outside: "09:00-18:00" };
    assert.equal(isOutside(india, at("2026-03-02T03:15:00Z")), true, "08:45 IST");
    assert.equal(isOutside(india, at("2026-03-02T03:45:00Z")), false, "09:15 IST");
    // A night shift on Fridays: 22:00 Friday to 06:00 Saturday is inside.
    const night = { timeZone: "UTC", outside: "22:00-06:00", weekdays: ["fri" as const] };
    assert.equal(isOutside(night, at("2026-03-27T23:00:00Z")), false, "Friday 23:00");
    assert.equal(isOutside(night, at("2026-03-28T05:00:00Z")), false, "Saturday 05:00, the Friday shift");
    assert.equal(isOutside(night, at("2026-03-28T23:00:00Z")), true, "Saturday 23:00");
    assert.equal(isOutside(night, at("2026-03-27T12:00:00Z")), true, "Friday noon");
  });

  it("fires a rule for records outside the hours, judged by the record's time in its zone", async () => {
    const clock = new ManualClock(at("2026-03-30T03:00:00Z"));
    const evaluator = new AlertEvaluator({
      rules: [rule({ name: "late-approval", match: { event: "request.approved" }, schedule: office })],
      store: new FakeAlertStore(),
      clock,
    });
    const approved = () =>
      lifecycleRecord({ event: "request.approved", ts: new Date(clock.now()).toISOString() });
    assert.equal((await evaluator.evaluate(approved())).length, 1, "05:00 CEST");
    clock.set(at("2026-03-30T06:00:00Z"));
    assert.equal((await evaluator.evaluate(approved())).length, 0, "08:00 CEST");
    // A record without a usable time is judged by the clock.
    clock.set(at("2026-03-30T19:00:00Z"));
    assert.equal((await evaluator.evaluate({ ...approved(), ts: "" })).length, 1, "21:00 CEST");
  });
});
