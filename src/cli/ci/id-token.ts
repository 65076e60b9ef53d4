import { openRequest, readBody, refusal } from "../broker/http-request.ts";
import { CliError, UsageError } from "../cli-error.ts";

/**
 * Where a CI job's OIDC ID token comes from (REFERENCE.md "CI identity tokens"): GitHub
 * Actions' request endpoint, GitLab's id_tokens variable, or any named variable.
 */
export type IdTokenSource =
  | { kind: "github"; audience: string }
  | { kind: "variable"; variable: string; provider: "gitlab" | "env" };

export const GITLAB_DEFAULT_VARIABLE = "KUBE_BROKER_ID_TOKEN";

/** --provider github|gitlab|env:VAR; without it, the CI the environment says we are in. */
export function idTokenSource(
  provider: string | undefined,
  options: { audience: string; tokenVariable: string | undefined },
  env: Record<string, string | undefined>,
): IdTokenSource {
  const chosen =
    provider ?? (env.GITHUB_ACTIONS === "true" ? "github" : env.GITLAB_CI ? "gitlab" : undefined);
  if (chosen === "github") return { kind: "github", audience: options.audience };
  if (chosen === "gitlab") {
    return {
      kind: "variable",
      provider: "gitlab",
      variable: options.tokenVariable ?? GITLAB_DEFAULT_VARIABLE,
    };
  }
  if (chosen?.startsWith("env:") && chosen.length > 4) {
    return { kind: "variable", provider: "env", variable: chosen.slice(4) };
  }
  if (chosen === undefined) {
    throw new UsageError("cannot tell which CI this is; pass --provider github, gitlab or env:VARIABLE");
  }
  throw new UsageError(`--provider must be github, gitlab or env:VARIABLE, not "${chosen}"`);
}

export async function fetchIdToken(
  source: IdTokenSource,
  env: Record<string, string | undefined>,
): Promise<string> {
  if (source.kind === "variable") {
    const token = env[source.variable];
    if (token) return token;
    throw new CliError(
      source.provider === "gitlab"
        ? `no ID token in $${source.variable}; give the job "id_tokens: ${source.variable}: aud: <the broker's audience>"`
        : `no ID token in $${source.variable}`,
    );
  }
  const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!requestUrl || !requestToken) {
    throw new CliError(
      'this GitHub job cannot get an ID token; give the workflow "permissions: id-token: write"',
    );
  }
  const url = new URL(requestUrl);
  url.searchParams.set("audience", source.audience);
  const what = "GitHub's ID token endpoint";
  const res = await openRequest({
    url,
    what,
    headers: { authorization: `Bearer ${requestToken}`, accept: "application/json" },
  });
  const text = await readBody(res);
  if (res.statusCode !== 200) throw refusal(what, res.statusCode ?? 0, text);
  let value: unknown;
  try {
    value = (JSON.parse(text) as { value?: unknown }).value;
  } catch {
    // Reported below.
  }
  if (typeof value !== "string" || value === "") throw new CliError(`${what} answered without a token`);
  return value;
}
