import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

/**
 * The OIDC provider for tests and the demo: node-oidc-provider 9 in process on loopback,
 * with dev interactions (any password), a confidential web client (what the broker uses),
 * a public CLI client, PKCE, the device flow, refresh tokens and a `groups` claim.
 */
export interface TestUser {
  sub: string;
  email: string;
  name?: string;
  groups: string[];
}

export const DEFAULT_USERS: TestUser[] = [
  { sub: "dev", email: "dev@example.com", name: "Dana Developer", groups: ["developers"] },
  { sub: "approver", email: "approver@example.com", name: "Avery Approver", groups: ["sre", "approvers"] },
  { sub: "admin", email: "admin@example.com", name: "Ada Admin", groups: ["platform-admins"] },
  { sub: "sre2", email: "sre2@example.com", name: "Sam Second", groups: ["sre"] },
  { sub: "oncall", email: "oncall@example.com", name: "Olive Oncall", groups: ["developers", "oncall"] },
];

export interface OidcProviderOptions {
  users?: TestUser[];
  /** Redirect URIs of the web client (the broker's callback). */
  redirectUris?: string[];
  port?: number;
  webClientId?: string;
  webClientSecret?: string;
  /** ID token lifetime in seconds (default 1 h). */
  idTokenTtl?: number;
}

export interface OidcProviderHarness {
  issuer: string;
  web: { clientId: string; clientSecret: string; redirectUris: string[] };
  cli: { clientId: string };
  users: TestUser[];
  provider: Provider;
  close(): Promise<void>;
}

export async function startOidcProvider(options: OidcProviderOptions = {}): Promise<OidcProviderHarness> {
  const users = options.users ?? DEFAULT_USERS;
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const web = {
    clientId: options.webClientId ?? "kube-broker",
    clientSecret: options.webClientSecret ?? randomBytes(32).toString("base64url"),
    redirectUris: options.redirectUris ?? ["http://127.0.0.1/callback"],
  };
  const cli = { clientId: "kube-broker-cli" };
  const idTokenTtl = options.idTokenTtl ?? 3600;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: web.clientId,
        client_secret: web.clientSecret,
        redirect_uris: web.redirectUris,
        // openid-client 6 defaults to client_secret_post; oidc-provider to basic. Say it.
        token_endpoint_auth_method: "client_secret_post",
        grant_types: ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"],
        response_types: ["code"],
      },
      {
        client_id: cli.clientId,
        application_type: "native",
        token_endpoint_auth_method: "none",
        redirect_uris: ["http://127.0.0.1/callback"],
        grant_types: ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"],
        response_types: ["code"],
      },
    ],
    async findAccount(_ctx, id) {
      const user = users.find((u) => u.sub === id || u.email === id);
      const account = user ?? { sub: id, email: `${id}@example.com`, groups: [] };
      return {
        accountId: account.sub,
        claims: async () => ({
          sub: account.sub,
          email: account.email,
          email_verified: true,
          name: account.name ?? account.sub,
          groups: account.groups,
        }),
      };
    },
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name"],
      groups: ["groups"],
    },
    scopes: ["openid", "offline_access", "email", "profile", "groups"],
    // The broker reads email and groups from the ID token, as most IdPs allow.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
    },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 120,
      IdToken: idTokenTtl,
      DeviceCode: 600,
      RefreshToken: 14 * 86400,
      Grant: 14 * 86400,
      Session: 14 * 86400,
      Interaction: 3600,
    },
    // Without this, offline_access only survives with prompt=consent; the harness keeps
    // that standard behaviour so the broker must ask properly.
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed("refresh_token") && code.scopes.has("offline_access"),
  });
  provider.on("server_error", (_ctx, err) => console.error("oidc-provider server_error", err));
  server.on("request", provider.callback());

  return {
    issuer,
    web,
    cli,
    users,
    provider,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
