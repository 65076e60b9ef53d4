import type { Config } from "../../config/schema.ts";
import type { Principal } from "../../shared/principal.ts";
import { invalid, parseReportQuery, type ReportQuery } from "../usage/index.ts";
import { type BindSubject, PLACEHOLDER_SUBJECT } from "./role-manifests.ts";

/** What GET /v1/reports/suggest-role asks besides the usage query: how to write the manifests. */
export interface SuggestOptions {
  /** The role's name; suggested-<subject> when not given. */
  name?: string;
  /** Whom the bindings bind. */
  bindTo: BindSubject;
  asBrokerRole: boolean;
}

const OWN = ["name", "bindUser", "bindServiceAccount", "asBrokerRole"];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * The query of GET /v1/reports/suggest-role: the window and subject as the usage reports read
 * them (parseReportQuery), plus the manifests' options, each checked (a bad one is a 422
 * naming it). Exactly one subject for admins; others may leave it out, meaning themselves.
 */
export function parseSuggestQuery(
  raw: Record<string, unknown>,
  config: Config,
  now: number,
  admin: boolean,
): { query: ReportQuery; options: SuggestOptions } {
  const rest = Object.fromEntries(Object.entries(raw).filter(([name]) => !OWN.includes(name)));
  const own = Object.fromEntries(Object.entries(raw).filter(([name]) => OWN.includes(name)));
  const query = parseReportQuery("suggest-role", rest, config, now);
  const subjects = (["user", "grant", "role", "ciRule"] as const).filter((name) => query[name] !== undefined);
  if (subjects.length > 1)
    throw invalid(subjects[1]!, `give one of user, grant, role or ciRule, not ${subjects.join(" and ")}`);
  if (subjects.length === 0 && admin)
    throw invalid("user", "name whose use to build the role from: user, grant, role or ciRule");
  for (const [name, value] of Object.entries(own))
    if (typeof value !== "string" || value === "") throw invalid(name, "give it once, as a single value");
  const { name, bindUser, bindServiceAccount, asBrokerRole } = own as Record<string, string | undefined>;
  if (name !== undefined && !DNS_LABEL.test(name))
    throw invalid(
      "name",
      "must be a DNS-1123 label (lower case, digits and '-', at most 63), as a broker role's name is",
    );
  if (bindUser !== undefined && bindServiceAccount !== undefined)
    throw invalid("bindServiceAccount", "give bindUser or bindServiceAccount, not both");
  if (asBrokerRole !== undefined && asBrokerRole !== "true" && asBrokerRole !== "false")
    throw invalid("asBrokerRole", 'must be "true" or "false"');
  return {
    query,
    options: {
      ...(name !== undefined ? { name } : {}),
      bindTo: bindSubject(bindUser, bindServiceAccount),
      asBrokerRole: asBrokerRole === "true",
    },
  };
}

function bindSubject(user: string | undefined, serviceAccount: string | undefined): BindSubject {
  if (user !== undefined) return { kind: "User", name: user };
  if (serviceAccount === undefined) return PLACEHOLDER_SUBJECT;
  const [namespace, name, ...more] = serviceAccount.split("/");
  if (more.length > 0 || !namespace || !name || !DNS_LABEL.test(namespace) || !DNS_SUBDOMAIN.test(name))
    throw invalid("bindServiceAccount", "must be NAMESPACE/NAME of a ServiceAccount");
  return { kind: "ServiceAccount", namespace, name };
}

/** Whose use the role is built from, for messages and the default name. */
export function subjectOf(query: ReportQuery, principal: Principal): { text: string; slug: string } {
  if (query.grant !== undefined) return named("grant", query.grant);
  if (query.ciRule !== undefined) return named("CI rule", query.ciRule);
  if (query.role !== undefined && query.user === undefined) return named("role", query.role);
  if (query.role !== undefined)
    return { text: `role "${query.role}" as used by "${query.user}"`, slug: query.role };
  return named("user", query.user ?? principal.name);
}

function named(kind: string, value: string): { text: string; slug: string } {
  return { text: `${kind} "${value}"`, slug: value };
}

/** suggested-<subject>, as a DNS-1123 label: other characters become "-", cut to 63. */
export function defaultRoleName(slug: string): string {
  const cleaned = slug
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-");
  return `suggested-${cleaned}`.slice(0, 63).replace(/-+$/, "");
}
