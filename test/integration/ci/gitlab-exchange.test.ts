import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GitlabClaims } from "../../support/ci-issuer.ts";
import { expectGranted, expectStatus, GITHUB_AUDIENCE, GITLAB_AUDIENCE, useCiFixture } from "./fixture.ts";
import { describeTokenChecks } from "./token-checks.ts";

const DEPLOY: GitlabClaims = { project_path: "acme/infra/deploy", ref: "main", ref_protected: true };

describeTokenChecks({
  name: "GitLab",

  audience: GITLAB_AUDIENCE,
  otherAudience: GITHUB_AUDIENCE,
  allowed: (fixture, options) => fixture.gitlab.gitlab(DEPLOY, { audience: GITLAB_AUDIENCE, ...options }),
});

describe("GitLab CI token exchange", () => {
  const f = useCiFixture();

  const mint = (claims: GitlabClaims) => f().gitlab.gitlab(claims, { audience: GITLAB_AUDIENCE });

  it("gives a protected ref of a project under acme/infra a credential in its namespace only", async () => {
    const body = await expectGranted(await f().exchange({ token: await mint(DEPLOY) }));
    assert.deepEqual([body.cluster, body.role, body.namespaces], ["prod", "edit", ["infra"]]);
    const grant = await f().grants.get(body.grant.id);
    assert.equal(
      grant.principal.subject,
      `${f().gitlab.issuer}#project_path:acme/infra/deploy:ref_type:branch:ref:main`,
    );
    assert.match(
      grant.reason,
      /^CI rule infra-protected: project_path=acme\/infra\/deploy ref=main pipeline_id=\d+ job_id=\d+$/,
    );
    assert.deepEqual(f().objectsPlaced(), ["RoleBinding:infra", "ServiceAccount:kube-broker-grants"]);
  });

  it("accepts a deeper project path under the glob", async () => {
    await expectGranted(
      await f().exchange({ token: await mint({ ...DEPLOY, project_path: "acme/infra/k8s/apps" }) }),
    );
  });

  const refused: [string, GitlabClaims, string | undefined][] = [
    ["an unprotected ref", { ...DEPLOY, ref: "feature-x", ref_protected: false }, undefined],
    ["another project", { ...DEPLOY, project_path: "acme/web" }, undefined],
    ["the group itself", { ...DEPLOY, project_path: "acme/infra" }, undefined],
    ["a look-alike group", { ...DEPLOY, project_path: "acme/infra-legacy/deploy" }, undefined],
    ["another cluster than the rule's", DEPLOY, "test"],
  ];
  for (const [what, claims, cluster] of refused) {
    it(`refuses ${what} with 403 and creates nothing`, async () => {
      const token = await mint(claims);
      const status = await expectStatus(await f().exchange({ token, cluster }), 403, token);
      assert.match(status.message, /^no CI rule lets project_path:/);
      await f().assertNothingCreated({ jtiSpent: true });
    });
  }

  it("does not take a GitLab token for a GitHub rule of the same shape", async () => {
    const token = await f().gitlab.mint(
      { sub: "repo:acme/web:ref:refs/heads/main", repository: "acme/web", event_name: "push" },
      { audience: GITLAB_AUDIENCE },
    );
    await expectStatus(await f().exchange({ token }), 403, token);
    await f().assertNothingCreated({ jtiSpent: true });
  });
});
