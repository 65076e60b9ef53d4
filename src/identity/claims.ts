import type { OidcProviderConfig } from "../config/schema.ts";
import { Unauthorized } from "../shared/errors.ts";
import type { Principal } from "../shared/principal.ts";

/**
 * A person from their ID-token claims at one provider: `sub`, the configured name and groups
 * claims, email; each name and group with the provider's prefix, so that the same username at
 * two providers is two people and groups do not cross from one provider to another.
 *
 * The one provider allowed no prefix could still send a name that starts with another's
 * prefix ("partners:alice"), which would make it that provider's person: such a name is
 * refused, and such a group dropped, rather than trusted.
 */
export function principalFromClaims(
  claims: Record<string, unknown>,
  provider: OidcProviderConfig,
  providers: readonly OidcProviderConfig[] = [provider],
): Principal {
  const subject = claims.sub;
  if (typeof subject !== "string" || subject === "") throw new Unauthorized("the ID token has no subject");
  const email = typeof claims.email === "string" && claims.email !== "" ? claims.email : undefined;
  const named = claims[provider.usernameClaim];
  const name = typeof named === "string" && named !== "" ? named : (email ?? subject);
  const foreignUser = foreignPrefix(provider, providers, "usernamePrefix");
  const foreignGroup = foreignPrefix(provider, providers, "groupsPrefix");
  for (const value of [subject, name, email]) {
    const theirs = value === undefined ? undefined : foreignUser(provider.usernamePrefix + value);
    if (theirs)
      throw new Unauthorized(
        `identity provider "${provider.name}" named the person "${value}", which is a name of provider "${theirs}"`,
      );
  }
  const user = (value: string) => provider.usernamePrefix + value;
  return {
    kind: "user",
    subject: user(subject),
    name: user(name),
    ...(email ? { email: user(email) } : {}),
    groups: groupsFrom(claims[provider.groupsClaim])
      .map((group) => provider.groupsPrefix + group)
      .filter((group) => !foreignGroup(group)),
    idp: provider.name,
  };
}

/** Which other provider a prefixed name would belong to, by that provider's longer prefix. */
function foreignPrefix(
  provider: OidcProviderConfig,
  providers: readonly OidcProviderConfig[],
  field: "usernamePrefix" | "groupsPrefix",
): (value: string) => string | undefined {
  const own = provider[field];
  const others = providers.filter(
    (p) => p.name !== provider.name && p[field].length > own.length && p[field].startsWith(own),
  );
  return (value) => others.find((p) => value.startsWith(p[field]))?.name;
}

function groupsFrom(value: unknown): string[] {
  if (typeof value === "string") return value === "" ? [] : [value];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === "string" && g !== "");
  return [];
}
