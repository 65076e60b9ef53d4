import ICAL from "ical.js";
import type { PersonReader } from "./shift-people.ts";

/** One shift that covers an instant: who holds it, from when to when (ms). */
export interface Shift {
  people: string[];
  start: number;
  end: number;
  summary: string;
}

/** Expansions past this many occurrences of one event stop: a feed must not stall a request. */
const MAX_OCCURRENCES = 20_000;

/**
 * A parsed on-call feed that answers "who is on call at T". ical.js does the calendar work:
 * RRULE expansion, EXDATE, RECURRENCE-ID exceptions (an override of one shift replaces that
 * occurrence, people and times included) and the feed's VTIMEZONEs, so a weekly 09:00
 * hand-over in Europe/Berlin stays at 09:00 local across the change of summer time. Every
 * shift covering T counts — the primary rotation and an override laid over it alike.
 */
export class OnCallCalendar {
  readonly #events: ICAL.Event[];
  readonly #people: PersonReader;
  /** Problems that did not stop the parse (time zones the feed uses but does not define). */
  readonly warnings: string[];

  constructor(text: string, people: PersonReader) {
    const root = new ICAL.Component(ICAL.parse(text));
    if (root.name !== "vcalendar") throw new Error(`not an iCalendar feed (found ${root.name})`);
    // ical.js resolves a TZID through its process-wide registry; feeds of one organisation
    // define the same IANA zones alike, so the latest definition serves them all.
    for (const zone of root.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(zone);
    this.warnings = undefinedZones(root);
    this.#people = people;
    this.#events = masters(root.getAllSubcomponents("vevent"));
  }

  /** The shifts covering `at`, latest start first: an override laid over a shift comes before it. */
  shiftsAt(at: number): Shift[] {
    const shifts: Shift[] = [];
    for (const event of this.#events) {
      const covering = event.isRecurring() ? this.#occurrenceAt(event, at) : [this.#single(event)];
      for (const shift of covering) if (shift && shift.start <= at && at < shift.end) shifts.push(shift);
    }
    return shifts.filter((s) => s.people.length > 0).sort((a, b) => b.start - a.start);
  }

  /** Everyone on call at `at`, in shiftsAt's order, each once. */
  peopleAt(at: number): string[] {
    return [...new Set(this.shiftsAt(at).flatMap((shift) => shift.people))];
  }

  #single(event: ICAL.Event): Shift | undefined {
    return this.#shift(event.component, event.startDate, event.endDate);
  }

  /**
   * Walks the rule's occurrences up to `at`. An exception moved to other times is judged by
   * its own times, so it is checked apart from the walk, which is in recurrence-id order.
   */
  #occurrenceAt(event: ICAL.Event, at: number): (Shift | undefined)[] {
    const found: (Shift | undefined)[] = Object.values(event.exceptions).map((exception) =>
      this.#shift(exception.component, exception.startDate, exception.endDate),
    );
    const iterator = event.iterator();
    for (let n = 0, next = iterator.next(); next && n < MAX_OCCURRENCES; n++, next = iterator.next()) {
      if (millis(next) > at) break;
      const details = event.getOccurrenceDetails(next);
      if (details.item !== event && details.item.recurrenceId?.compare(next) === 0) continue;
      const end = details.item === event ? wallClockEnd(event, details.startDate) : details.endDate;
      found.push(this.#shift(details.item.component, details.startDate, end));
    }
    return found;
  }

  #shift(component: ICAL.Component, start: ICAL.Time, end: ICAL.Time | undefined): Shift | undefined {
    if (String(component.getFirstPropertyValue("status") ?? "").toUpperCase() === "CANCELLED") return;
    const startMs = millis(start);
    // No DTEND: a date lasts the day, a date-time is an instant (RFC 5545 3.6.1).
    const endMs = end ? millis(end) : start.isDate ? startMs + 86_400_000 : startMs;
    const summary = component.getFirstPropertyValue("summary");
    return {
      people: this.#people(component),
      start: startMs,
      end: endMs,
      summary: typeof summary === "string" ? summary : "",
    };
  }
}

/**
 * An occurrence ends as long after its start, on the wall clock of its time zone, as the
 * event's first one did: a week from Monday 09:00 is the next Monday 09:00, summer time or
 * not. (RFC 5545 would keep DTEND's exact length, moving the hand-over by an hour for the
 * rest of the season; no on-call tool means that, and ical.js would add it as wall-clock
 * days plus the odd hour.) An event with DURATION keeps it, days being days already.
 */
function wallClockEnd(event: ICAL.Event, start: ICAL.Time): ICAL.Time {
  const end = start.clone();
  if (!event.component.hasProperty("dtend")) {
    end.addDuration(event.duration);
    return end;
  }
  end.addDuration(ICAL.Duration.fromSeconds(wallClock(event.endDate) - wallClock(event.startDate)));
  return end;
}

function wallClock(time: ICAL.Time): number {
  return Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second) / 1000;
}

function millis(time: ICAL.Time): number {
  return time.toUnixTime() * 1000;
}

/** Each UID's recurring master (or lone event), its RECURRENCE-ID exceptions related by UID. */
function masters(components: ICAL.Component[]): ICAL.Event[] {
  const exceptions = new Map<string, ICAL.Component[]>();
  for (const component of components) {
    if (!component.hasProperty("recurrence-id")) continue;
    const uid = String(component.getFirstPropertyValue("uid") ?? "");
    exceptions.set(uid, [...(exceptions.get(uid) ?? []), component]);
  }
  const events: ICAL.Event[] = [];
  const mastered = new Set<string>();
  for (const component of components) {
    if (component.hasProperty("recurrence-id") || !component.hasProperty("dtstart")) continue;
    const uid = String(component.getFirstPropertyValue("uid") ?? "");
    mastered.add(uid);
    events.push(new ICAL.Event(component, { strictExceptions: true, exceptions: exceptions.get(uid) ?? [] }));
  }
  // An exception whose master the feed left out still is a shift of its own.
  for (const [uid, orphans] of exceptions)
    if (!mastered.has(uid))
      for (const orphan of orphans) events.push(new ICAL.Event(orphan, { exceptions: [] }));
  return events;
}

function undefinedZones(root: ICAL.Component): string[] {
  const used = new Set<string>();
  for (const event of root.getAllSubcomponents("vevent"))
    for (const name of ["dtstart", "dtend", "recurrence-id", "exdate"]) {
      for (const property of event.getAllProperties(name)) {
        const tzid = property.getParameter("tzid");
        if (typeof tzid === "string") used.add(tzid);
      }
    }
  return [...used]
    .filter((tzid) => tzid !== "UTC" && !ICAL.TimezoneService.has(tzid))
    .map((tzid) => `time zone "${tzid}" is used but not defined in the feed: its times are read as UTC`);
}
