import { z } from "zod";
import { duration, httpUrl, size } from "./fields.ts";

/**
 * On-call schedules (issue 22): iCalendar feeds, as PagerDuty, Opsgenie and Grafana OnCall
 * publish them, or a file. A request rule names one under `onCall` (requestOnCall below): the
 * person on call when a request is made may approve it alone, or has their own requests
 * approved at once, and is named first in its notification.
 */

/** Where a shift's person is read from in an event, tried in the order given. */
export const PERSON_SOURCES = ["attendee", "summary", "description"] as const;

const person = z.strictObject({
  /**
   * `attendee`: each ATTENDEE's mailto address (PagerDuty feeds, and calendars where the
   * person is invited). `summary` / `description`: an email address in the text if there is
   * one, else the text without a Grafana OnCall priority marker ("[L1] ") — or, with
   * `pattern`, its first capture group.
   */
  from: z.array(z.enum(PERSON_SOURCES)).min(1).default(["attendee", "summary"]),
  /** A regular expression over SUMMARY or DESCRIPTION whose first group is the person. */
  pattern: z
    .string()
    .min(1)
    .refine((p) => compiles(p), "must be a valid regular expression with a capture group")
    .optional(),
  /**
   * Names in the feed → the broker's user names (usually emails), for feeds that show
   * display names ("Jane Doe") rather than addresses. Matched without regard to case.
   */
  names: z.record(z.string().min(1), z.string().min(1)).default({}),
});

const schedule = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,63}$/, "letters, digits and _ . - only, at most 63"),
    /** The feed's http(s) URL; a webcal:// address (as on-call tools offer them) is read as https://. */
    url: z.preprocess(webcalAsHttps, httpUrl).optional(),
    /** Feed URLs carry a secret token (PagerDuty, Grafana OnCall): name the env variable instead. */
    urlEnv: z.string().min(1).optional(),
    /** A .ics file on disk (a ConfigMap, or a calendar exported by a job). */
    file: z.string().min(1).optional(),
    /** How often the feed is read again; between reads the last good copy answers. */
    refreshInterval: duration.default(300).refine((s) => s >= 30, "must be at least 30s"),
    /** The longest one read may take. */
    timeout: duration.default(10).refine((s) => s >= 1, "must be at least 1s"),
    /** A feed larger than this is refused (and the last good copy kept). */
    maxBytes: size.default(5 * 1024 ** 2),
    person: person.prefault({}),
  })
  .refine((s) => [s.url, s.urlEnv, s.file].filter(Boolean).length === 1, {
    message: "set exactly one of url, urlEnv or file",
  });

export const onCallSchema = z.strictObject({
  schedules: z.array(schedule).default([]),
});

/**
 * On a request rule. `approve`: what the person on call (when the request was made) may do —
 * `alone`: approve it by themself, whatever `approvals` says, even if not among `approvers`;
 * `as-approver`: approve it as one of the `approvals` needed; `no`: nothing more than others.
 * `autoApprove`: a request the person on call makes is approved at once. Nobody approves
 * their own request either way.
 */
export const requestOnCall = z.strictObject({
  schedule: z.string().min(1),
  approve: z.enum(["alone", "as-approver", "no"]).default("alone"),
  autoApprove: z.boolean().default(false),
});

export type OnCallConfig = z.output<typeof onCallSchema>;
export type OnCallScheduleConfig = OnCallConfig["schedules"][number];
export type RequestOnCall = z.output<typeof requestOnCall>;

/** A rule naming a schedule that is not configured would silently never apply: refuse it. */
export function onCallReferences(config: {
  onCall: OnCallConfig;
  policies: { requests: { onCall?: RequestOnCall | undefined }[] };
}): { path: string; message: string }[] {
  const names = new Set(config.onCall.schedules.map((s) => s.name));
  const problems: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  config.onCall.schedules.forEach((s, i) => {
    if (seen.has(s.name))
      problems.push({ path: `onCall.schedules.${i}.name`, message: `duplicate name "${s.name}"` });
    seen.add(s.name);
  });
  config.policies.requests.forEach((rule, i) => {
    const name = rule.onCall?.schedule;
    if (name !== undefined && !names.has(name))
      problems.push({
        path: `policies.requests.${i}.onCall.schedule`,
        message: `unknown on-call schedule "${name}"${names.size ? ` (configured: ${[...names].join(", ")})` : "; list it under onCall.schedules"}`,
      });
  });
  return problems;
}

/** webcal:// is https:// by convention: calendar apps subscribe with it, servers never see it. */
export function webcalAsHttps(value: unknown): unknown {
  return typeof value === "string" ? value.replace(/^webcals?:\/\//i, "https://") : value;
}

function compiles(pattern: string): boolean {
  try {
    return new RegExp(`${pattern}|`).exec("")!.length > 1;
  } catch {
    return false;
  }
}
