import type { ParseArgsOptionsConfig } from "node:util";
import type { CliContext } from "./context.ts";
import type { OutputChoice } from "./output/output-format.ts";

/**
 * The subcommands. Each lives in commands/<name>.ts and exports `usage`, `run` and `flags`; it
 * is loaded only when called, so `credential` (which kubectl runs before every request) loads
 * none of the others. To add a command: write its module and add one line here.
 */
export interface CommandModule {
  usage: string;
  run(args: string[], ctx: CliContext): Promise<number>;
  /** The flags run() parses, the same object: what shell completion offers (completion/). */
  flags?: ParseArgsOptionsConfig;
  /** The -o formats it takes, when not all of them. */
  outputs?: readonly OutputChoice[];
  /** The words it takes before its flags (report's kind), for shell completion. */
  leading?: readonly { value: string; description?: string }[];
}

export interface CommandEntry {
  summary: string;
  load(): Promise<CommandModule>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  login: { summary: "sign in (browser, or --device)", load: () => import("./commands/login.ts") },
  logout: { summary: "end the session and forget cached tokens", load: () => import("./commands/logout.ts") },
  whoami: {
    summary: "who you are signed in as, and what you may use",
    load: () => import("./commands/whoami.ts"),
  },
  kubeconfig: {
    summary: "add a context that uses kube-broker",
    load: () => import("./commands/kubeconfig.ts"),
  },
  credential: { summary: "the exec plugin kubectl runs", load: () => import("./commands/credential.ts") },
  grants: { summary: "list your grants", load: () => import("./commands/grants.ts") },
  revoke: {
    summary: "end a grant (or, with --self, a CI job's own)",
    load: () => import("./commands/revoke.ts"),
  },
  "ci-token": {
    summary: "exchange a CI job's ID token for a credential",
    load: () => import("./commands/ci-token.ts"),
  },
  request: {
    summary: "ask for just-in-time access (approved by others)",
    load: () => import("./commands/request.ts"),
  },
  requests: {
    summary: "list your access requests and those you may approve",
    load: () => import("./commands/requests.ts"),
  },
  approve: { summary: "approve an access request", load: () => import("./commands/approve.ts") },
  deny: { summary: "deny an access request", load: () => import("./commands/deny.ts") },
  cancel: { summary: "withdraw your pending access request", load: () => import("./commands/cancel.ts") },
  audit: { summary: "tail, query or export the audit trail", load: () => import("./commands/audit.ts") },
  alerts: {
    summary: "the alerts that fired, or -w to follow them",
    load: () => import("./commands/alerts.ts"),
  },
  suspensions: {
    summary: "suspended standing access, and lift (admins)",
    load: () => import("./commands/suspensions.ts"),
  },
  sessions: {
    summary: "recorded exec and attach sessions: list, play, export, search",
    load: () => import("./commands/sessions.ts"),
  },
  report: {
    summary: "reports: RBAC risks, what was used, access",
    load: () => import("./commands/report.ts"),
  },
  version: {
    summary: "the plugin's version, and the broker's",
    load: () => import("./commands/version.ts"),
  },
  completion: {
    summary: "a shell completion script (bash, zsh or fish)",
    load: () => import("./commands/completion.ts"),
  },
};
