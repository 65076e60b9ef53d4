import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GithubClaims } from "../../support/ci-issuer.ts";
import { expectGranted, expectStatus, GITHUB_AUDIENCE, GITLAB_AUDIENCE, useCiFixture } from "./fixture.ts";
import { describeTokenChecks } from "./token-checks.ts";

const MAIN: GithubClaims = { repository: "acme/web", ref: "refs/heads/main" };

describeTokenChecks({
  name: "GitHub",

  audience: GITHUB_AUDIENCE,
  otherAudience: GITLAB_AUDIENCE,
  allowed: (fixture, options) => fixture.github.github(MAIN, { audience: GITHUB_AUDIENCE, ...options }),
});

describe("GitHub Actions token exchange", () => {
  const f = useCiFixture();

  const mint = (claims: GithubClaims, expiresIn?: number) =>
    f().github.github(claims, { audience: GITHUB_AUDIENCE, ...(expiresIn ? { expiresIn } : {}) });

  it("gives a push to the allowed branch a credential in the allowed namespace only", async () => {
    const body = await expectGranted(await f().exchange({ token: await mint(MAIN) }));
    assert.equal(body.cluster, "test");
    assert.equal(body.role, "ci-deploy");
    assert.deepEqual(body.namespaces, ["web"]);
    assert.ok(
      body.token.startsWith("token-kb-ci-repo-acme-web"),
      "a TokenRequest token of the grant's account",
    );

    const grant = await f().grants.get(body.grant.id);
    assert.equal(grant.state, "active");
    assert.equal(grant.origin, "ci");
    assert.deepEqual(grant.principal, {
      kind: "ci",
      subject: `${f().github.issuer}#repo:acme/web:ref:refs/heads/main`,
      name: "ci:repo:acme/web:ref:refs/heads/main",
      groups: [],
    });
    assert.match(grant.reason, /^CI rule web-main: repository=acme\/web ref=refs\/heads\/main run_id=\d+/);
    assert.deepEqual(f().objectsPlaced(), ["RoleBinding:web", "ServiceAccount:kube-broker-grants"]);
    for (const object of f().clusterApi.objects.values()) assert.equal(object.grantId, grant.id);
  });

  const refused: [string, GithubClaims, string | undefined, RegExp][] = [
    [
      "another branch",
      { ...MAIN, ref: "refs/heads/dev" },
      undefined,
      /^no CI rule lets repo:acme\/web:ref:refs\/heads\/dev use any cluster$/,
    ],
    [
      "another branch, naming the cluster",
      { ...MAIN, ref: "refs/heads/dev" },
      "prod",
      /^no CI rule lets repo:acme\/web:ref:refs\/heads\/dev use cluster "prod"$/,
    ],
    ["another repository", { repository: "acme/api" }, undefined, /repo:acme\/api:ref:refs\/heads\/main/],
    [
      "a repository of another owner, in production",
      { repository: "evil/web", environment: "production" },
      undefined,
      /repo:evil\/web:environment:production/,
    ],
    ["a pull request", { ...MAIN, event_name: "pull_request" }, undefined, /repo:acme\/web:pull_request/],
    [
      "a pull request whose sub claims the main branch",
      { ...MAIN, event_name: "pull_request", sub: "repo:acme/web:ref:refs/heads/main" },
      undefined,
      /no CI rule/,
    ],
    ["a rule's job asking for another cluster", MAIN, "prod", /use cluster "prod"/],
  ];
  for (const [what, claims, cluster, message] of refused) {
    it(`refuses ${what} with 403 and creates nothing`, async () => {
      const token = await mint(claims);
      const status = await expectStatus(await f().exchange({ token, cluster }), 403, token);
      assert.equal(status.reason, "Forbidden");
      assert.match(status.message, message);
      await f().assertNothingCreated({ jtiSpent: true });
    });
  }

  it("picks the rule of the cluster the job names", async () => {
    const claims = { repository: "acme/api", environment: "production" };
    const body = await expectGranted(await f().exchange({ token: await mint(claims), cluster: "prod" }));
    assert.equal(body.cluster, "prod");
    assert.equal(body.role, "view");
    assert.deepEqual(body.namespaces, ["web", "web-jobs"]);
  });

  describe("grant lifetime", () => {
    const lifetime = (body: { grant: { expiresAt: string } }) =>
      Math.round((Date.parse(body.grant.expiresAt) - Date.now()) / 1000);
    const near = (actual: number, expected: number) =>
      assert.ok(Math.abs(actual - expected) <= 5, `expected about ${expected}s, got ${actual}s`);

    it("ends when the job's token does", async () => {
      near(lifetime(await expectGranted(await f().exchange({ token: await mint(MAIN, 300) }))), 300);
    });

    it("is capped by the rule's maxTtl", async () => {
      const token = await mint({ repository: "acme/api", environment: "production" }, 7200);
      near(lifetime(await expectGranted(await f().exchange({ token }))), 600);
    });

    it("is capped by the rule's maxTtl below the role's", async () => {
      near(lifetime(await expectGranted(await f().exchange({ token: await mint(MAIN, 7200) }))), 1800);
    });

    it("is what the job asks for when that is shorter", async () => {
      const token = await mint(MAIN, 7200);
      near(lifetime(await expectGranted(await f().exchange({ token, ttl: "5m" }))), 300);
      near(
        lifetime(await expectGranted(await f().exchange({ token: await mint(MAIN, 7200), ttl: 420 }))),
        420,
      );
    });

    it("is capped the same when the job asks for more", async () => {
      const token = await mint(MAIN, 300);
      near(lifetime(await expectGranted(await f().exchange({ token, ttl: "8h" }))), 300);
    });

    it("lasts a minute at least", async () => {
      near(lifetime(await expectGranted(await f().exchange({ token: await mint(MAIN, 20) }))), 60);
    });
  });
});
