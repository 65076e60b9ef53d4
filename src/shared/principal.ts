/** Who is asking: a person signed in through OIDC, or a CI job identified by its ID token. */
export interface Principal {
  kind: "user" | "ci";
  /** Stable identifier: the IdP's `sub` for people; `<issuer>#<sub>` style for CI jobs. */
  subject: string;
  /** The name shown in grants, audit records and ServiceAccount names (email for people). */
  name: string;
  email?: string;
  groups: string[];
  /** The identity provider a person signed in at (config oidc[].name); absent for CI jobs. */
  idp?: string;
}

/** A DNS-1123-friendly slug of a principal's name, for ServiceAccount names. */
export function principalSlug(principal: Principal, maxLength: number): string {
  const base = (principal.email?.split("@")[0] ?? principal.name).toLowerCase();
  const slug = base
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  return (slug.slice(0, maxLength).replace(/-$/, "") || "user").replace(/^-/, "");
}
