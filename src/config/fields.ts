import { z } from "zod";
import { parseDuration, parseSize } from "../shared/duration.ts";

/** A duration written as "15m", "12h", "30d" or a number of seconds; parsed to seconds. */
export const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const seconds = parseDuration(value);
  if (seconds === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `expected a duration such as 90s, 15m, 12h or 30d, got "${value}"`,
    });
    return z.NEVER;
  }
  return seconds;
});

/** A byte size written as 1048576, "512Ki" or "64Mi"; parsed to bytes. */
export const size = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const bytes = parseSize(value);
  if (bytes === undefined) {
    ctx.addIssue({ code: "custom", message: `expected a size such as 65536, 512Ki or 64Mi, got "${value}"` });
    return z.NEVER;
  }
  return bytes;
});

/** DNS-1123 label: what Kubernetes accepts for namespace and object names. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const dnsLabel = z
  .string()
  .regex(
    DNS1123_LABEL,
    "must be a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters)",
  );

/** A namespace name or a glob over names, such as "team-*". */
export const namespacePattern = z
  .string()
  .regex(/^[a-z0-9*]([-a-z0-9*]{0,61}[a-z0-9*])?$/, "must be a namespace name or a glob such as team-*");

export const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

/**
 * Who a rule applies to: user subjects or emails and IdP groups, exact or glob, as the
 * principal carries them (with its provider's prefixes). `idps` narrows the rule to people
 * from those identity providers; alone, it means everyone from them.
 */
export const subjects = z
  .strictObject({
    users: z.array(z.string().min(1)).default([]),
    groups: z.array(z.string().min(1)).default([]),
    idps: z.array(z.string().min(1)).min(1).optional(),
  })
  .refine(
    (s) => s.users.length + s.groups.length + (s.idps?.length ?? 0) > 0,
    "name at least one user, group or idp",
  );

export type Subjects = z.output<typeof subjects>;
