/**
 * A development OIDC provider (the one tests use) for docker-compose and local trials: dev
 * interactions (any password), users dev, approver, admin, sre2 and oncall with groups, and
 * the broker as a confidential client. Never for production.
 *   KB_IDP_PORT (8444), KB_IDP_CLIENT_SECRET (required), KB_IDP_REDIRECT (the broker's
 *   /v1/login/callback URL).
 */
import { startOidcProvider } from "./oidc-provider.ts";

const secret = process.env.KB_IDP_CLIENT_SECRET;
if (!secret) {
  console.error("dev-idp: set KB_IDP_CLIENT_SECRET");
  process.exit(2);
}
const idp = await startOidcProvider({
  port: Number(process.env.KB_IDP_PORT ?? 8444),
  webClientSecret: secret,
  redirectUris: [process.env.KB_IDP_REDIRECT ?? "https://127.0.0.1:8443/v1/login/callback"],
});
console.log(
  `dev OIDC provider at ${idp.issuer} (users: ${idp.users.map((u) => u.sub).join(", ")}; any password)`,
);
const stop = () => idp.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
