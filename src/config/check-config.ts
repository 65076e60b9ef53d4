import { ConfigError, formatProblem, loadConfig } from "./load.ts";

/** `kube-broker check-config --config FILE`: 0 and a summary, or one line per problem. */
export async function checkConfigCommand(
  file: string,
  out: { stdout: (line: string) => void; stderr: (line: string) => void },
): Promise<number> {
  try {
    const config = await loadConfig(file);
    // Only when there is a choice: with one provider the line is as it always was.
    const idps =
      config.oidc.length > 1
        ? `${config.oidc.length} identity providers (${config.oidc.map((p) => p.name).join(", ")}), `
        : "";
    out.stdout(
      `${file}: ok (${idps}${config.clusters.length} cluster(s), ${config.roles.length} role(s), ` +
        `${config.policies.standing.length + config.policies.requests.length} policy rule(s), ` +
        `${config.ci.rules.length} CI rule(s))`,
    );
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems) out.stderr(`${file}: ${formatProblem(problem)}`);
    return 1;
  }
}
