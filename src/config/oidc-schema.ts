import { z } from "zod";
import { DNS1123_LABEL, duration, httpUrl } from "./fields.ts";

/** The provider name a config written as one object (before there could be several) gets. */
export const DEFAULT_IDP_NAME = "default";

/**
 * One identity provider people sign in with. `oidc` is one of these (the form every config had
 * before) or a list of them, each with a `name`. In the manner of the Kubernetes API server's
 * --oidc-username-prefix and --oidc-groups-prefix, a provider's names and groups may carry a
 * prefix so that two providers can never produce the same person or group: every provider
 * after the first gets "<name>:" for both unless it says otherwise (oidcProviders below).
 */
const provider = z
  .strictObject({
    /** How the provider is chosen at login (`--idp NAME`) and named by policy (`idps:`). */
    name: z
      .string()
      .regex(DNS1123_LABEL, "must be a DNS-1123 label (lowercase letters, digits and '-')")
      .optional(),
    /** What the sign-in page shows for it; the name when unset. */
    displayName: z.string().min(1).max(100).optional(),
    issuer: httpUrl,
    clientId: z.string().min(1),
    /** The client secret is never written in the file: name an env variable or a file. */
    clientSecretEnv: z.string().min(1).optional(),
    clientSecretFile: z.string().min(1).optional(),
    scopes: z.array(z.string().min(1)).default(["openid", "email", "profile", "offline_access"]),
    groupsClaim: z.string().min(1).default("groups"),
    /** The claim that names a person in grants and audit records. */
    usernameClaim: z.string().min(1).default("email"),
    /** Put before the person's name, subject and email (default: "" for the first, else "<name>:"). */
    usernamePrefix: z.string().max(64).optional(),
    /** Put before each of the person's groups (default: as usernamePrefix's). */
    groupsPrefix: z.string().max(64).optional(),
    sessionTtl: duration.default(12 * 3600),
    /** Non-loopback URLs a login may finish at (loopback is always allowed for the CLI). */
    allowedRedirects: z.array(httpUrl).default([]),
  })
  .refine((o) => !(o.clientSecretEnv && o.clientSecretFile), {
    message: "set clientSecretEnv or clientSecretFile, not both",
  });

export type OidcProviderConfig = Omit<
  z.output<typeof provider>,
  "name" | "usernamePrefix" | "groupsPrefix"
> & {
  name: string;
  usernamePrefix: string;
  groupsPrefix: string;
};

/** `oidc`: one provider, or a list of named ones; always a list once parsed. */
export const oidcSchema = z
  .union([provider, z.array(provider).min(1, "list at least one identity provider")])
  .transform((value, ctx): OidcProviderConfig[] => {
    const list = Array.isArray(value);
    const providers = (list ? value : [value]).map((p, i) => withDefaults(p, i, list));
    for (const problem of collisions(providers, list)) ctx.addIssue({ code: "custom", ...problem });
    return providers;
  });

function withDefaults(p: z.output<typeof provider>, index: number, list: boolean): OidcProviderConfig {
  const name = p.name ?? (list ? "" : DEFAULT_IDP_NAME);
  const fallback = index === 0 ? "" : `${name}:`;
  const usernamePrefix = p.usernamePrefix ?? fallback;
  return { ...p, name, usernamePrefix, groupsPrefix: p.groupsPrefix ?? p.usernamePrefix ?? fallback };
}

/**
 * Two providers must never yield the same person or group. Prefixes must differ and none may
 * start another (so a name tells its provider by its longest matching prefix); the one
 * provider allowed no prefix is trusted not to use another's, and login checks that it does
 * not (claims.ts).
 */
function collisions(
  providers: OidcProviderConfig[],
  list: boolean,
): { path: PropertyKey[]; message: string }[] {
  const problems: { path: PropertyKey[]; message: string }[] = [];
  const at = (i: number, field: string) => (list ? [i, field] : [field]);
  const names = new Map<string, number>();
  providers.forEach((p, i) => {
    if (list && p.name === "")
      problems.push({ path: at(i, "name"), message: "each provider in a list needs a name" });
    else if (names.has(p.name)) problems.push({ path: at(i, "name"), message: `duplicate name "${p.name}"` });
    names.set(p.name, i);
  });
  for (const field of ["usernamePrefix", "groupsPrefix"] as const) {
    providers.forEach((p, i) => {
      for (const other of providers.slice(0, i)) {
        const [a, b] = [p[field], other[field]];
        const clash =
          a === b
            ? `is the same as provider "${other.name}"'s`
            : a !== "" && b !== "" && (a.startsWith(b) || b.startsWith(a))
              ? `and provider "${other.name}"'s ("${b}") start one another`
              : undefined;
        if (clash) {
          problems.push({
            path: at(i, field),
            message: `"${a}" ${clash}: two providers could then produce the same ${field === "usernamePrefix" ? "person" : "group"}`,
          });
          break;
        }
      }
    });
  }
  return problems;
}

/** Rules may name identity providers (`idps:` in subjects): each must be one the config has. */
export function idpReferences(config: {
  oidc: OidcProviderConfig[];
  policies: {
    standing: { subjects: { idps?: string[] | undefined } }[];
    requests: {
      subjects: { idps?: string[] | undefined };
      approvers: { idps?: string[] | undefined };
      autoApprove?: { idps?: string[] | undefined } | undefined;
    }[];
  };
}): { path: string; message: string }[] {
  const known = new Set(config.oidc.map((p) => p.name));
  const names = [...known].join(", ");
  const problems: { path: string; message: string }[] = [];
  const check = (base: string, subjects: { idps?: string[] | undefined } | undefined) =>
    subjects?.idps?.forEach((name, i) => {
      if (!known.has(name))
        problems.push({
          path: `${base}.idps.${i}`,
          message: `no identity provider "${name}" (there are: ${names})`,
        });
    });
  config.policies.standing.forEach((rule, i) => {
    check(`policies.standing.${i}.subjects`, rule.subjects);
  });
  config.policies.requests.forEach((rule, i) => {
    for (const field of ["subjects", "approvers", "autoApprove"] as const)
      check(`policies.requests.${i}.${field}`, rule[field]);
  });
  return problems;
}
