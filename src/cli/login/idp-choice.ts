import type { BrokerClient } from "../broker/broker-client.ts";
import { CliError } from "../cli-error.ts";

/** GET /v1/login/providers (src/identity/login-routes.ts). */
interface Providers {
  providers: { name: string; displayName: string }[];
}

/**
 * The identity provider a sign-in names (`--idp`), checked against the broker's list before
 * anything starts, so a mistyped name is one line listing the real ones rather than an error
 * page in a browser. Without `--idp`, a browser login is left to the broker's page, which
 * lists them; a device login has no page, so with several it must be told which.
 *
 * `remembered` is the provider of the session being replaced (the exec plugin signing in
 * again, where nobody can pass --idp): used while the broker still has it, else ignored.
 */
export async function chooseIdp(
  client: BrokerClient,
  idp: string | undefined,
  device: boolean,
  remembered?: string | undefined,
): Promise<string | undefined> {
  if (idp === undefined && remembered === undefined && !device) return undefined;
  const { providers } = await client.get<Providers>("/v1/login/providers").catch((err: unknown) => {
    // A broker from before there could be several has one provider, and no list.
    if (err instanceof CliError && err.httpStatus === 404) return { providers: [] };
    throw err;
  });
  const names = providers.map((p) => p.name).join(", ");
  if (idp === undefined && providers.some((p) => p.name === remembered)) return remembered;
  if (idp === undefined) {
    if (providers.length > 1)
      throw new CliError(`the broker has several identity providers; choose one with --idp: ${names}`);
    return undefined;
  }
  if (!providers.some((p) => p.name === idp))
    throw new CliError(
      providers.length > 0
        ? `the broker has no identity provider "${idp}"; it has: ${names}`
        : "the broker does not offer a choice of identity provider; sign in without --idp",
    );
  return idp;
}

/** The provider of the session kept for a broker, if it names one. */
export function idpOf(session: { principal: { [field: string]: unknown } } | undefined): string | undefined {
  const idp = session?.principal.idp;
  return typeof idp === "string" && idp !== "" ? idp : undefined;
}
