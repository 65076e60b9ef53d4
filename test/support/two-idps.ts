import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type OidcProviderHarness, startOidcProvider } from "../../tools/dev-idp/oidc-provider.ts";
import { freePort } from "../../tools/free-port.ts";
import { type Stack, startStack } from "./stack.ts";

/**
 * The stack behind three identity providers: its own IdP as "employees", a second real
 * oidc-provider as "partners" (knowing an alice@example.com too, in groups named like the
 * employees' ones), and "down", whose IdP is not there at all. Policy: developers may view
 * team-a, alice@example.com payments, everyone from partners (idps) team-b; developers may
 * request edit in team-*, which sre approve.
 */
export interface TwoIdpStack {
  stack: Stack;
  partners: OidcProviderHarness;
  close(): Promise<void>;
}

export async function startTwoIdpStack(): Promise<TwoIdpStack> {
  let partners: OidcProviderHarness | undefined;
  const stack = await startStack({
    config: async ({ url, idp, dir }) => {
      partners = await startOidcProvider({
        redirectUris: [`${url}/v1/login/callback`],
        webClientId: "kube-broker-partners",
        users: [
          { sub: "alice", email: "alice@example.com", groups: ["platform-admins", "developers", "sre"] },
          { sub: "bob", email: "bob@partner.example", groups: ["developers"] },
        ],
      });
      const secretFile = join(dir, "partners-secret");
      await writeFile(secretFile, partners.web.clientSecret, { mode: 0o600 });
      const scopes = ["openid", "email", "profile", "groups", "offline_access"];
      return {
        oidc: [
          {
            name: "employees",
            displayName: "Example staff",
            issuer: idp.issuer,
            clientId: idp.web.clientId,
            clientSecretEnv: "KB_TEST_OIDC_SECRET",
            scopes,
          },
          {
            name: "partners",
            issuer: partners.issuer,
            clientId: partners.web.clientId,
            clientSecretFile: secretFile,
            scopes,
          },
          {
            name: "down",
            issuer: `http://127.0.0.1:${await freePort()}`,
            clientId: "nobody",
            clientSecretEnv: "KB_TEST_OIDC_SECRET",
          },
        ],
        policies: {
          standing: [
            { subjects: { groups: ["developers"] }, roles: ["view"], namespaces: ["team-a"] },
            { subjects: { users: ["alice@example.com"] }, roles: ["view"], namespaces: ["payments"] },
            { subjects: { idps: ["partners"] }, roles: ["view"], namespaces: ["team-b"] },
          ],
          requests: [
            {
              subjects: { groups: ["developers"] },
              roles: ["edit"],
              namespaces: ["team-*"],
              approvers: { groups: ["sre"] },
            },
          ],
        },
      };
    },
  }).catch(async (err: unknown) => {
    await partners?.close();
    throw err;
  });
  const started = partners!;
  return {
    stack,
    partners: started,
    close: async () => {
      await stack.close();
      await started.close();
    },
  };
}
