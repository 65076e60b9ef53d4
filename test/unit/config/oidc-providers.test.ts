import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { stringify } from "yaml";
import { checkConfigCommand } from "../../../src/config/check-config.ts";
import { ConfigError, parseConfig } from "../../../src/config/load.ts";

const BASE = {
  server: { publicUrl: "https://kb.example.com" },
  redis: { url: "redis://127.0.0.1:6379" },
  clusters: [{ name: "prod", auth: { kind: "in-cluster" } }],
  roles: [{ name: "view", clusterRole: "view" }],
};
const employees = { name: "employees", issuer: "https://login.example.com", clientId: "kb" };
const partners = { name: "partners", issuer: "https://partners.example.net", clientId: "kb-partners" };

function problems(oidc: unknown, extra: Record<string, unknown> = {}): string[] {
  try {
    parseConfig({ ...BASE, oidc, ...extra });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe("oidc: one identity provider or several", () => {
  it("one object is one provider named default, with no prefixes, as before", () => {
    const config = parseConfig({ ...BASE, oidc: { issuer: "https://idp.example.com", clientId: "kb" } });
    assert.equal(config.oidc.length, 1);
    const [only] = config.oidc;
    assert.equal(only!.name, "default");
    assert.equal(only!.usernamePrefix, "");
    assert.equal(only!.groupsPrefix, "");
    assert.equal(only!.usernameClaim, "email");
  });

  it("in a list, the first has no prefix and every later one '<name>:' for names and groups", () => {
    const config = parseConfig({ ...BASE, oidc: [employees, partners] });
    assert.deepEqual(
      config.oidc.map((p) => [p.name, p.usernamePrefix, p.groupsPrefix]),
      [
        ["employees", "", ""],
        ["partners", "partners:", "partners:"],
      ],
    );
  });

  it("explicit prefixes are kept; a groupsPrefix defaults to the usernamePrefix given", () => {
    const config = parseConfig({
      ...BASE,
      oidc: [
        { ...employees, usernamePrefix: "corp/" },
        { ...partners, usernamePrefix: "ext/" },
      ],
    });
    assert.deepEqual(
      config.oidc.map((p) => [p.usernamePrefix, p.groupsPrefix]),
      [
        ["corp/", "corp/"],
        ["ext/", "ext/"],
      ],
    );
  });

  it("refuses prefixes under which two providers could produce the same person or group", () => {
    assert.deepEqual(problems([employees, { ...partners, usernamePrefix: "" }]), [
      'oidc.1.usernamePrefix: "" is the same as provider "employees"\'s: two providers could then produce the same person',
      'oidc.1.groupsPrefix: "" is the same as provider "employees"\'s: two providers could then produce the same group',
    ]);
    assert.deepEqual(problems([employees, { ...partners, groupsPrefix: "" }]), [
      'oidc.1.groupsPrefix: "" is the same as provider "employees"\'s: two providers could then produce the same group',
    ]);
    assert.deepEqual(
      problems([
        { ...employees, usernamePrefix: "p:" },
        { ...partners, usernamePrefix: "p:x:", groupsPrefix: "partners:" },
      ]),
      [
        'oidc.1.usernamePrefix: "p:x:" and provider "employees"\'s ("p:") start one another: two providers could then produce the same person',
      ],
    );
  });

  it("refuses a list entry without a name, and duplicate names", () => {
    const { name: _, ...unnamed } = partners;
    assert.deepEqual(problems([employees, unnamed]), ["oidc.1.name: each provider in a list needs a name"]);
    assert.deepEqual(problems([employees, { ...partners, name: "employees", usernamePrefix: "x:" }]), [
      'oidc.1.name: duplicate name "employees"',
    ]);
    assert.match(
      problems([{ ...employees, name: "Employees!" }])[0]!,
      /^oidc\.0\.name: must be a DNS-1123 label/,
    );
  });

  it("a field error in the one-object form still names the field", () => {
    assert.deepEqual(problems({ issuer: "not a url", clientId: "kb" }), [
      "oidc.issuer: must be an http(s) URL",
    ]);
  });

  it("rules may name providers in idps, and only providers the config has", () => {
    const policies = (idps: string[]) => ({
      policies: {
        standing: [{ subjects: { idps }, roles: ["view"], namespaces: ["team-*"] }],
        requests: [
          {
            subjects: { groups: ["developers"] },
            roles: ["view"],
            namespaces: ["x"],
            approvers: { groups: ["sre"], idps },
          },
        ],
      },
    });
    assert.deepEqual(problems([employees, partners], policies(["partners"])), []);
    assert.deepEqual(problems([employees, partners], policies(["contractors"])), [
      'policies.standing.0.subjects.idps.0: no identity provider "contractors" (there are: employees, partners)',
      'policies.requests.0.approvers.idps.0: no identity provider "contractors" (there are: employees, partners)',
    ]);
  });

  it("check-config names the providers, or one line per problem", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kb-idps-"));
    try {
      const run = async (oidc: unknown) => {
        const file = join(dir, "config.yaml");
        await writeFile(file, stringify({ ...BASE, oidc }));
        const out: string[] = [];
        const code = await checkConfigCommand(file, {
          stdout: (l) => out.push(l),
          stderr: (l) => out.push(l),
        });
        return { code, out: out.map((line) => line.slice(file.length + 2)) };
      };
      assert.deepEqual(await run([employees, partners]), {
        code: 0,
        out: [
          "ok (2 identity providers (employees, partners), 1 cluster(s), 1 role(s), 0 policy rule(s), 0 CI rule(s))",
        ],
      });
      assert.deepEqual(await run(employees), {
        code: 0,
        out: ["ok (1 cluster(s), 1 role(s), 0 policy rule(s), 0 CI rule(s))"],
      });
      const refused = await run([employees, { ...partners, usernamePrefix: "", groupsPrefix: "p:" }]);
      assert.equal(refused.code, 1);
      assert.deepEqual(refused.out, [
        'oidc.1.usernamePrefix: "" is the same as provider "employees"\'s: two providers could then produce the same person',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
