import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatAbsolute, formatRelative, formatTimeLeft } from "../../../src/console/ui/time.ts";

describe("formatTimeLeft", () => {
  it("shows seconds below a day, so the countdown visibly ticks", () => {
    assert.equal(formatTimeLeft(42_400), "42s");
    assert.equal(formatTimeLeft(12 * 60_000 + 5000), "12m 05s");
    assert.equal(formatTimeLeft(3_600_000 + 5 * 60_000 + 3000), "1h 05m 03s");
    assert.equal(formatTimeLeft(2 * 86_400_000 + 3 * 3_600_000 + 59_000), "2d 03h");
  });

  it("changes from one second to the next", () => {
    assert.notEqual(formatTimeLeft(1_800_000), formatTimeLeft(1_799_000));
  });

  it("never goes below zero", () => {
    assert.equal(formatTimeLeft(0), "0s");
    assert.equal(formatTimeLeft(-5000), "0s");
  });
});

describe("formatRelative", () => {
  const now = Date.UTC(2026, 0, 1, 12);
  it("names the largest whole unit, ahead or behind", () => {
    assert.equal(formatRelative(now + 12 * 60_000 + 30_000, now), "in 12m");
    assert.equal(formatRelative(now - 3 * 3_600_000, now), "3h ago");
    assert.equal(formatRelative(now + 45_000, now), "in 45s");
    assert.equal(formatRelative(now - 2 * 86_400_000, now), "2d ago");
    assert.equal(formatRelative(now + 400, now), "now");
  });
});

describe("formatAbsolute", () => {
  it("writes the date and time in the locale asked for", () => {
    const text = formatAbsolute(Date.UTC(2026, 2, 12, 14, 32), "en-US");
    assert.match(text, /Mar 1[23], 2026/);
  });
});
