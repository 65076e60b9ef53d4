import type { Config } from "../config/schema.ts";
import { Unauthorized } from "../shared/errors.ts";
import type { Principal } from "../shared/principal.ts";

/** A person from their ID-token claims: `sub`, the configured name and groups claims, email. */
export function principalFromClaims(claims: Record<string, unknown>, settings: Config["oidc"]): Principal {
  const subject = claims.sub;
  if (typeof subject !== "string" || subject === "") throw new Unauthorized("the ID token has no subject");
  const email = typeof claims.email === "string" ? claims.email : undefined;
  const named = claims[settings.usernameClaim];
  const name = typeof named === "string" && named !== "" ? named : (email ?? subject);
  return {
    kind: "user",
    subject,
    name,
    ...(email ? { email } : {}),
    groups: groupsFrom(claims[settings.groupsClaim]),
  };
}

function groupsFrom(value: unknown): string[] {
  if (typeof value === "string") return value === "" ? [] : [value];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === "string" && g !== "");
  return [];
}
