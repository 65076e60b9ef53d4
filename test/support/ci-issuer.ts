import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { randomId, randomSecret } from "../../src/shared/ids.ts";

/**
 * A CI identity-token issuer on loopback, shaped like GitHub Actions and GitLab CI: OIDC
 * discovery, a JWKS, RS256 ID tokens with chosen claims, key rotation, and GitHub's token
 * request endpoint (ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN) so the CLI's step can be tested.
 */
export interface MintOptions {
  audience: string | string[];
  /** Seconds from now; negative for an already expired token. Default 300. */
  expiresIn?: number;
  /** Seconds from now for nbf (default: now). */
  notBefore?: number;
  /** Seconds from now for iat (default: now; negative to age a token). */
  issuedAt?: number;
  jti?: string;
  kid?: string;
}

export interface GithubClaims {
  repository: string;
  ref?: string;
  environment?: string;
  event_name?: string;
  workflow?: string;
  actor?: string;
  /** Overrides the derived `sub`. */
  sub?: string;
  [claim: string]: unknown;
}

export interface GitlabClaims {
  project_path: string;
  ref?: string;
  ref_protected?: boolean;
  environment?: string;
  user_login?: string;
  sub?: string;
  [claim: string]: unknown;
}

export interface CiIssuerHarness {
  issuer: string;
  /** Signs a token with the current key and whatever claims are given. */
  mint(claims: Record<string, unknown>, options: MintOptions): Promise<string>;
  github(claims: GithubClaims, options: MintOptions): Promise<string>;
  gitlab(claims: GitlabClaims, options: MintOptions): Promise<string>;
  /** Replaces the signing key with a new one (new kid); the JWKS serves both. */
  rotateKey(): Promise<void>;
  /** The current public key as a JWK (for forging tests, such as HS256 with the public key). */
  publicJwk(): JWK;
  /** GitHub-style request endpoint: env for the job and the claims its tokens carry. */
  githubRequestEnv(claims: GithubClaims): {
    ACTIONS_ID_TOKEN_REQUEST_URL: string;
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: string;
  };
  /** How many times the JWKS was fetched (discovery caching tests). */
  jwksFetches: number;
  close(): Promise<void>;
}

interface SigningKey {
  kid: string;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  publicJwk: JWK;
}

async function newKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = randomId(8);
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
}

export async function startCiIssuer(): Promise<CiIssuerHarness> {
  const keys: SigningKey[] = [await newKey()];
  const requestTokens = new Map<string, GithubClaims>();
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const mint = async (claims: Record<string, unknown>, options: MintOptions) => {
    const key = keys.find((k) => k.kid === options.kid) ?? keys.at(-1)!;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...claims, jti: options.jti ?? randomId(12) })
      .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" })
      .setIssuer(issuer)
      .setAudience(options.audience)
      .setIssuedAt(now + (options.issuedAt ?? 0))
      .setNotBefore(now + (options.notBefore ?? 0))
      .setExpirationTime(now + (options.expiresIn ?? 300))
      .sign(key.privateKey);
  };

  const github = (claims: GithubClaims, options: MintOptions) => {
    const ref = claims.ref ?? "refs/heads/main";
    const sub =
      claims.sub ??
      (claims.environment
        ? `repo:${claims.repository}:environment:${claims.environment}`
        : claims.event_name === "pull_request"
          ? `repo:${claims.repository}:pull_request`
          : `repo:${claims.repository}:ref:${ref}`);
    return mint(
      {
        repository_owner: claims.repository.split("/")[0],
        ref_type: ref.startsWith("refs/tags/") ? "tag" : "branch",
        event_name: "push",
        workflow_ref: `${claims.repository}/.github/workflows/deploy.yml@${ref}`,
        job_workflow_ref: `${claims.repository}/.github/workflows/deploy.yml@${ref}`,
        run_id: String(Math.floor(Math.random() * 1e9)),
        run_attempt: "1",
        actor: "octocat",
        runner_environment: "github-hosted",
        ...claims,
        ref,
        sub,
      },
      options,
    );
  };

  const gitlab = (claims: GitlabClaims, options: MintOptions) => {
    const ref = claims.ref ?? "main";
    return mint(
      {
        namespace_path: claims.project_path.split("/").slice(0, -1).join("/"),
        ref_type: "branch",
        ref_protected: "true",
        pipeline_id: String(Math.floor(Math.random() * 1e6)),
        pipeline_source: "push",
        job_id: String(Math.floor(Math.random() * 1e7)),
        user_login: "gitlab-user",
        runner_environment: "gitlab-hosted",
        ...claims,
        ...(claims.ref_protected === undefined ? {} : { ref_protected: String(claims.ref_protected) }),
        ref,
        sub: claims.sub ?? `project_path:${claims.project_path}:ref_type:branch:ref:${ref}`,
      },
      options,
    );
  };

  const harness: CiIssuerHarness = {
    issuer,
    mint,
    github,
    gitlab,
    rotateKey: async () => {
      keys.push(await newKey());
    },
    publicJwk: () => keys.at(-1)!.publicJwk,
    githubRequestEnv: (claims) => {
      const token = randomSecret();
      requestTokens.set(token, claims);
      return {
        ACTIONS_ID_TOKEN_REQUEST_URL: `${issuer}/_apis/token?api-version=2.0`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: token,
      };
    },
    jwksFetches: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", issuer);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/.well-known/openid-configuration") {
      return json(200, {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks`,
        subject_types_supported: ["public"],
        response_types_supported: ["id_token"],
        id_token_signing_alg_values_supported: ["RS256"],
        claims_supported: [
          "sub",
          "aud",
          "exp",
          "iat",
          "iss",
          "jti",
          "nbf",
          "ref",
          "repository",
          "environment",
        ],
      });
    }
    if (url.pathname === "/.well-known/jwks") {
      harness.jwksFetches++;
      return json(200, { keys: keys.map((k) => k.publicJwk) });
    }
    if (url.pathname === "/_apis/token") {
      const bearer = req.headers.authorization?.replace(/^Bearer /, "") ?? "";
      const claims = requestTokens.get(bearer);
      if (!claims) return json(401, { message: "bad request token" });
      const audience =
        url.searchParams.get("audience") ?? `https://github.com/${claims.repository.split("/")[0]}`;
      github(claims, { audience }).then((value) => json(200, { count: 1, value }));
      return;
    }
    json(404, { message: "not found" });
  });
  return harness;
}

/**
 * The broker's CI rules the CI tests run against: GitHub's acme/web on main may edit team-a
 * for 30 minutes at most; GitLab's acme/infra may view team-b. Both for `audience`.
 */
export function ciTestRules(issuer: string, audience: string) {
  return [
    {
      name: "web-main",
      issuer,
      audience,
      claims: { repository: "acme/web", ref: "refs/heads/main" },
      cluster: "test",
      role: "edit",
      namespaces: ["team-a"],
      maxTtl: "30m",
    },
    {
      name: "infra",
      issuer,
      audience,
      claims: { project_path: "acme/infra" },
      cluster: "test",
      role: "view",
      namespaces: ["team-b"],
    },
  ];
}
