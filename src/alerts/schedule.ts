import type { AlertRule } from "./alert-rule.ts";

type Schedule = NonNullable<AlertRule["schedule"]>;

const WEEKDAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/**
 * Whether `atMs` falls outside the schedule's hours (or on a weekday it does not list), as
 * a wall clock in its time zone reads then. Intl applies the zone's rules, so DST shifts
 * and zones with half-hour offsets need nothing of our own. A span whose start is after its
 * end runs over midnight; its after-midnight part belongs to the day it started on.
 */
export function isOutside(schedule: Schedule, atMs: number): boolean {
  const { weekday, minutes } = wallClock(schedule.timeZone, atMs);
  const start = toMinutes(schedule.outside.slice(0, 5));
  const end = toMinutes(schedule.outside.slice(6));
  const days = schedule.weekdays;
  if (start < end) {
    return minutes < start || minutes >= end || (days !== undefined && !days.includes(weekday as never));
  }
  // Over midnight: 22:00-06:00 is inside from 22:00 on a listed day until 06:00 the next.
  if (minutes >= start) return days !== undefined && !days.includes(weekday as never);
  if (minutes < end) return days !== undefined && !days.includes(previousDay(weekday) as never);
  return true;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(timeZone: string, atMs: number): { weekday: string; minutes: number } {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(atMs).map((p) => [p.type, p.value]));
  return {
    weekday: String(parts.weekday).toLowerCase().slice(0, 3),
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

function toMinutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function previousDay(weekday: string): string {
  return WEEKDAY_NAMES[(WEEKDAY_NAMES.indexOf(weekday) + 6) % 7]!;
}
