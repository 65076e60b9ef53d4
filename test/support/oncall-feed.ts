import { createServer, type Server } from "node:http";
import { freePort } from "../../tools/free-port.ts";

/**
 * A real on-call feed, shaped like PagerDuty's and Grafana OnCall's: a weekly rotation of three
 * people in Europe/Berlin (with its VTIMEZONE) starting Monday 2026-10-05 09:00, each shift a
 * week long, so the one of 19 October spans the end of summer time on 25 October. Bob's
 * shift of 2 November is handed to Erin (RECURRENCE-ID), Carol's of 9 November is cancelled
 * (EXDATE), and Dave holds an extra shift on 13 October 12:00–18:00 over Bob's (a separate
 * override event, in America/New_York time). People are ATTENDEE mailto addresses; Dave's
 * event names him only in its SUMMARY, Grafana OnCall style.
 *
 * Who is on call, in UTC: alice 10-05 07:00 → 10-12 07:00; bob → 10-19 07:00; carol → 10-26
 * 08:00 (CET from the 25th); alice → 11-02 08:00; erin (for bob) → 11-09 08:00; nobody
 * (EXDATE) → 11-16 08:00; dave also 10-13 10:00 → 16:00.
 */
export const ROTATION_ICS = `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//kube-broker tests//on-call rotation//EN
CALSCALE:GREGORIAN
X-WR-CALNAME:SRE primary
BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:America/New_York
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:rotation-alice@kube-broker.test
DTSTAMP:20260901T000000Z
DTSTART;TZID=Europe/Berlin:20261005T090000
DTEND;TZID=Europe/Berlin:20261012T090000
RRULE:FREQ=WEEKLY;INTERVAL=3
SUMMARY:On Call - Alice Andersen - SRE primary
ATTENDEE;CN=Alice Andersen;ROLE=REQ-PARTICIPANT:mailto:alice@example.com
END:VEVENT
BEGIN:VEVENT
UID:rotation-bob@kube-broker.test
DTSTAMP:20260901T000000Z
DTSTART;TZID=Europe/Berlin:20261012T090000
DTEND;TZID=Europe/Berlin:20261019T090000
RRULE:FREQ=WEEKLY;INTERVAL=3
SUMMARY:On Call - Bob Brown - SRE primary
ATTENDEE;CN=Bob Brown:mailto:Bob@Example.com
END:VEVENT
BEGIN:VEVENT
UID:rotation-bob@kube-broker.test
DTSTAMP:20260901T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20261102T090000
DTSTART;TZID=Europe/Berlin:20261102T090000
DTEND;TZID=Europe/Berlin:20261109T090000
SUMMARY:On Call - Erin Evans - SRE primary (override)
ATTENDEE;CN=Erin Evans:mailto:erin@example.com
END:VEVENT
BEGIN:VEVENT
UID:rotation-carol@kube-broker.test
DTSTAMP:20260901T000000Z
DTSTART;TZID=Europe/Berlin:20261019T090000
DTEND;TZID=Europe/Berlin:20261026T090000
RRULE:FREQ=WEEKLY;INTERVAL=3
EXDATE;TZID=Europe/Berlin:20261109T090000
SUMMARY:On Call - Carol Chen - SRE primary
ATTENDEE;CN=Carol Chen:mailto:carol@example.com
END:VEVENT
BEGIN:VEVENT
UID:override-dave@kube-broker.test
DTSTAMP:20260901T000000Z
DTSTART;TZID=America/New_York:20261013T060000
DTEND;TZID=America/New_York:20261013T120000
SUMMARY:[L1] dave@example.com
END:VEVENT
END:VCALENDAR
`.replaceAll("\n", "\r\n");

const NEW_YORK = ROTATION_ICS.slice(
  ROTATION_ICS.indexOf("BEGIN:VTIMEZONE\r\nTZID:America/New_York"),
  ROTATION_ICS.indexOf("BEGIN:VEVENT"),
);

/** An instant as New York wall-clock time in iCalendar's form: 20261130T090000. */
function newYorkLocal(ms: number): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone: "America/New_York",
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .formatToParts(new Date(ms))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}${parts.month}${parts.day}T${parts.hour}${parts.minute}${parts.second}`;
}

/**
 * A feed whose rotation is under way at `now`, for tests that run at the real time: two
 * people taking turns a week at a time in America/New_York (RRULE, with its VTIMEZONE), the
 * current week `primary`'s, the next `next`'s (whose turn after that is handed to `primary`
 * by a RECURRENCE-ID override), and `override` laid over the current shift from an hour ago
 * for a day, named only in its SUMMARY, Grafana OnCall style.
 */
export function rotationAround(
  now: number,
  people: { primary: string; next: string; override: string },
): string {
  const hour = 3600_000;
  const start = Math.floor((now - 3 * 24 * hour) / hour) * hour;
  const week = 7 * 24 * hour;
  const utc = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, "");
  const event = (lines: string[]) => ["BEGIN:VEVENT", "DTSTAMP:20260101T000000Z", ...lines, "END:VEVENT"];
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//kube-broker tests//rotation around now//EN",
    NEW_YORK.trimEnd(),
    ...event([
      "UID:turn-primary@kube-broker.test",
      `DTSTART;TZID=America/New_York:${newYorkLocal(start)}`,
      `DTEND;TZID=America/New_York:${newYorkLocal(start + week)}`,
      "RRULE:FREQ=WEEKLY;INTERVAL=2",
      `ATTENDEE;CN=Primary:mailto:${people.primary}`,
    ]),
    ...event([
      "UID:turn-next@kube-broker.test",
      `DTSTART;TZID=America/New_York:${newYorkLocal(start + week)}`,
      `DTEND;TZID=America/New_York:${newYorkLocal(start + 2 * week)}`,
      "RRULE:FREQ=WEEKLY;INTERVAL=2",
      `ATTENDEE;CN=Next:mailto:${people.next}`,
    ]),
    ...event([
      "UID:turn-next@kube-broker.test",
      `RECURRENCE-ID;TZID=America/New_York:${newYorkLocal(start + 3 * week)}`,
      `DTSTART;TZID=America/New_York:${newYorkLocal(start + 3 * week)}`,
      `DTEND;TZID=America/New_York:${newYorkLocal(start + 4 * week)}`,
      `ATTENDEE;CN=Primary:mailto:${people.primary}`,
    ]),
    ...event([
      "UID:override-now@kube-broker.test",
      `DTSTART:${utc(now - hour)}`,
      `DTEND:${utc(now + 24 * hour)}`,
      `SUMMARY:[L1] ${people.override}`,
    ]),
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}

/** A loopback HTTP server serving an .ics feed; `down()` makes it answer 503, `up()` serves again. */
export interface IcsServer {
  url: string;
  /** Requests served (or refused) so far. */
  hits: number;
  body: string;
  down(): void;
  up(): void;
  close(): Promise<void>;
}

export async function startIcsServer(body = ROTATION_ICS): Promise<IcsServer> {
  let available = true;
  const feed: IcsServer = {
    url: "",
    hits: 0,
    body,
    down: () => {
      available = false;
    },
    up: () => {
      available = true;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((_req, res) => {
    feed.hits++;
    if (!available) {
      res.writeHead(503, { "content-type": "text/plain" }).end("feed down for maintenance");
      return;
    }
    res.writeHead(200, { "content-type": "text/calendar; charset=utf-8" }).end(feed.body);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  feed.url = `http://127.0.0.1:${port}/private/feed/sre-primary.ics`;
  return feed;
}
