/**
 * The persistence guard: nothing made during a grant outlives it. The gateway sees every
 * request of a grant, so it refuses the few that would leave lasting access behind — a token
 * that outlives the grant (lowered to the grant's end instead), a ServiceAccount token Secret
 * (a token that never expires), a binding that gives a role to someone the broker does not
 * manage, a Role holding escalate, bind or impersonate, a client certificate — judging each
 * on the object as the API server will make it (a patch on what the cluster holds now).
 * Per role it enforces, only records (`audit`), or does not look (`off`).
 */
import type { RoleConfig } from "../../config/schema.ts";
import { BadRequest, type BrokerError, Forbidden } from "../../shared/errors.ts";
import type { GuardedKind } from "./guarded-kind.ts";
import { patched, readPatch } from "./patches.ts";
import { readObject } from "./request-body.ts";

export interface GuardedRequest {
  kind: GuardedKind;
  verb: string;
  contentType: string;
  body: Buffer;
  /** The request's namespace; "" for cluster-scoped objects. */
  namespace: string;
  /** The object as the cluster holds it now, for updates and patches; undefined when absent. */
  current(): Promise<Record<string, unknown> | undefined>;
}

export interface GuardedGrant {
  id: string;
  expiresAt: number;
  /** Where kube-broker's own ServiceAccounts live: subjects there end with their grants. */
  grantsNamespace: string;
  settings: RoleConfig["guard"];
}

/** `note` goes to the audit record; `reason` is what was found, for audit mode's note. */
export type Verdict =
  | { kind: "pass"; note?: string }
  | { kind: "rewrite"; body: Buffer; contentType: string; note: string; reason: string }
  | { kind: "refuse"; error: BrokerError; note: string; reason: string };

/** TokenRequest's own minimum lifetime. */
const MIN_TOKEN_SECONDS = 600;
/** The API server turns a request for exactly this into a year (REFERENCE.md). */
const EXTENDED_BY_SERVER = 3607;
const CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client";
const POWERFUL_VERBS = new Set(["escalate", "bind", "impersonate", "*"]);

export async function judge(request: GuardedRequest, grant: GuardedGrant, now: number): Promise<Verdict> {
  const verdict = await strictly(request, grant, now);
  if (grant.settings.mode !== "audit" || verdict.kind === "pass") return verdict;
  const would = verdict.kind === "refuse" ? "refused" : "changed";
  return { kind: "pass", note: `persistence guard (audit mode) would have ${would} this: ${verdict.reason}` };
}

async function strictly(request: GuardedRequest, grant: GuardedGrant, now: number): Promise<Verdict> {
  switch (request.kind) {
    case "token":
      return token(request, grant, now);
    case "secret": {
      const secret = await resulting(request);
      return secret.type === "kubernetes.io/service-account-token"
        ? refuse(
            "Secrets of type kubernetes.io/service-account-token hold a token that never expires; " +
              "use kubectl create token, which lasts no longer than your grant",
          )
        : pass();
    }
    case "binding":
      return binding(request, grant);
    case "role":
      return role(request, grant);
    case "csr":
    case "csr-approval":
      return certificate(request);
  }
}

async function token(request: GuardedRequest, grant: GuardedGrant, now: number): Promise<Verdict> {
  if (request.namespace === grant.grantsNamespace) {
    return refuse("tokens for kube-broker's own ServiceAccounts are not minted through the gateway");
  }
  const read = readObject(request.contentType, request.body);
  const spec = (read.object.spec ?? {}) as { expirationSeconds?: number };
  const asked = spec.expirationSeconds ?? 3600;
  const left = Math.floor((grant.expiresAt - now) / 1000);
  const ends = new Date(grant.expiresAt).toISOString();
  if (left < MIN_TOKEN_SECONDS) {
    return refuse(
      `grant ${grant.id} ends at ${ends}, in ${left} s; a ServiceAccount token lives at least ` +
        `${MIN_TOKEN_SECONDS} s and would outlive it; ask for access that lasts longer`,
    );
  }
  if (asked <= left) return pass();
  if (!read.complete) {
    return refuse("the TokenRequest holds fields kube-broker cannot read; send it as JSON", BadRequest);
  }
  const seconds = left === EXTENDED_BY_SERVER ? left - 1 : left;
  const object = { ...read.object, spec: { ...spec, expirationSeconds: seconds } };
  const reason = `the token's expirationSeconds lowered from ${asked} to ${seconds}: grant ${grant.id} ends at ${ends}`;
  return {
    kind: "rewrite",
    body: Buffer.from(JSON.stringify(object)),
    contentType: "application/json",
    note: `persistence guard: ${reason}`,
    reason,
  };
}

async function binding(request: GuardedRequest, grant: GuardedGrant): Promise<Verdict> {
  const { delegation } = grant.settings;
  if (delegation === "any") return pass();
  const next = await resulting(request);
  const before = request.verb === "create" ? [] : subjectsOf(await request.current());
  const added = subjectsOf(next).filter((s) => !before.some((b) => sameSubject(b, s)));
  if (added.length === 0) return pass();
  const outside = added.filter((s) => delegation === "none" || !managed(s, grant.grantsNamespace));
  if (outside.length === 0) return pass();
  const who = outside.map(describeSubject).join(", ");
  return refuse(
    delegation === "none"
      ? `a binding would give ${who} a role that outlives your grant; this role may not delegate access`
      : `a binding would give ${who} a role that outlives your grant; this role may bind only kube-broker's own ServiceAccounts`,
  );
}

async function role(request: GuardedRequest, grant: GuardedGrant): Promise<Verdict> {
  if (grant.settings.delegation === "any") return pass();
  const next = await resulting(request);
  const before = request.verb === "create" ? [] : rulesOf(await request.current());
  const added = rulesOf(next).filter(
    (rule) => powerful(rule) && !before.some((b) => JSON.stringify(b) === JSON.stringify(rule)),
  );
  return added.length === 0
    ? pass()
    : refuse(
        "a role with escalate, bind or impersonate (or every verb) would let this grant hand out access that outlives it",
      );
}

async function certificate(request: GuardedRequest): Promise<Verdict> {
  const csr = await resulting(request);
  const signer = ((csr.spec ?? {}) as { signerName?: string }).signerName ?? "";
  if (signer === CLIENT_SIGNER || (request.kind === "csr-approval" && signer === "")) {
    return refuse(
      `client certificates (signer ${CLIENT_SIGNER}) are credentials that outlive a grant; they are not requested or approved through kube-broker`,
    );
  }
  return pass();
}

/** The object as the API server will make it from this create, update or patch. */
async function resulting(request: GuardedRequest): Promise<Record<string, unknown>> {
  if (request.verb !== "patch") return readObject(request.contentType, request.body).object;
  const { type, patch } = readPatch(request.contentType, request.body);
  return patched(await request.current(), type, patch);
}

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

function subjectsOf(object: Record<string, unknown> | undefined): Subject[] {
  const subjects = object?.subjects;
  return Array.isArray(subjects) ? (subjects as Subject[]) : [];
}

function sameSubject(a: Subject, b: Subject): boolean {
  return a.kind === b.kind && a.name === b.name && (a.namespace ?? "") === (b.namespace ?? "");
}

/** kube-broker's own ServiceAccounts (in the grants namespace) end with their grants. */
function managed(subject: Subject, grantsNamespace: string): boolean {
  return subject.kind === "ServiceAccount" && subject.namespace === grantsNamespace;
}

function describeSubject(subject: Subject): string {
  const where = subject.namespace ? `${subject.namespace}/` : "";
  return `${subject.kind ?? "subject"} "${where}${subject.name ?? ""}"`;
}

function rulesOf(object: Record<string, unknown> | undefined): { verbs?: unknown }[] {
  const rules = object?.rules;
  return Array.isArray(rules) ? (rules as { verbs?: unknown }[]) : [];
}

function powerful(rule: { verbs?: unknown }): boolean {
  return Array.isArray(rule.verbs) && rule.verbs.some((verb) => POWERFUL_VERBS.has(String(verb)));
}

function pass(): Verdict {
  return { kind: "pass" };
}

function refuse(reason: string, as: typeof Forbidden | typeof BadRequest = Forbidden): Verdict {
  const text = `kube-broker's persistence guard refused this: ${reason}`;
  return { kind: "refuse", error: new as(text), note: text, reason };
}
