import type ICAL from "ical.js";
import type { OnCallScheduleConfig } from "../config/oncall-schema.ts";

/** Reads who holds a shift from its event; [] when the event names nobody we can read. */
export type PersonReader = (event: ICAL.Component) => string[];

const EMAIL = /[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
/** Grafana OnCall's priority marker at the start of a SUMMARY: "[L1] jane@example.com". */
const PRIORITY = /^\s*\[L\d+\]\s*/i;

/**
 * The feeds on-call tools publish name people in different places: PagerDuty puts the person
 * in an ATTENDEE (mailto) and a display name in SUMMARY; Grafana OnCall writes "[L1] user" in
 * SUMMARY (user being the Grafana login or email); Opsgenie and hand-kept calendars write the
 * person's name or address in SUMMARY. So the sources are tried in the configured order and
 * the first that names anyone wins; names the feed shows are then mapped to the broker's user
 * names through `names`. Addresses are lower-cased: mail systems and IdPs treat them so.
 */
export function createPersonReader(settings: OnCallScheduleConfig["person"]): PersonReader {
  const pattern = settings.pattern ? new RegExp(settings.pattern) : undefined;
  const names = new Map(Object.entries(settings.names).map(([from, to]) => [from.toLowerCase(), to]));
  const mapped = (person: string) => names.get(person.toLowerCase()) ?? person;
  return (event) => {
    for (const source of settings.from) {
      const found = source === "attendee" ? attendees(event) : fromText(text(event, source), pattern);
      if (found.length > 0) return [...new Set(found.map(mapped))];
    }
    return [];
  };
}

function attendees(event: ICAL.Component): string[] {
  return event
    .getAllProperties("attendee")
    .map((property) => String(property.getFirstValue() ?? "").trim())
    .filter((value) => /^mailto:/i.test(value))
    .map((value) => value.slice("mailto:".length).trim().toLowerCase())
    .filter((address) => address !== "");
}

function text(event: ICAL.Component, source: "summary" | "description"): string {
  const value = event.getFirstPropertyValue(source);
  return typeof value === "string" ? value.trim() : "";
}

function fromText(value: string, pattern: RegExp | undefined): string[] {
  if (value === "") return [];
  if (pattern) {
    const person = pattern.exec(value)?.[1]?.trim();
    return person ? [person] : [];
  }
  const addresses = value.match(EMAIL);
  if (addresses) return addresses.map((address) => address.toLowerCase());
  const name = value.replace(PRIORITY, "").trim();
  return name ? [name] : [];
}
