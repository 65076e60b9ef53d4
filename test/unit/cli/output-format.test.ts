import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { outputFormat, render } from "../../../src/cli/output/output-format.ts";
import { runCli } from "../../../src/cli/run-cli.ts";
import { grantView } from "../../../src/grants/index.ts";
import { type AccessRequest, requestView } from "../../../src/requests/access-request.ts";
import { type FakeBroker, fakeBroker, signedInContext } from "../../support/fakes/fake-broker.ts";
import { grantFixture } from "../../support/fakes/grant-fixture.ts";

const NOW = Date.parse("2026-01-01T00:00:00Z");
const G1 = grantView(grantFixture("g1"));
const G2 = grantView(grantFixture("g2", { namespaces: ["team-b"], reason: "INC-7" }));
const PENDING: AccessRequest = {
  id: "r1",
  version: 1,
  requester: { kind: "user", subject: "sub-dev", name: "dev@example.com", groups: ["developers"] },
  cluster: "test",
  role: "edit",
  namespaces: ["team-a"],
  durationSeconds: 1800,
  reason: "INC-1",
  createdAt: NOW,
  expiresAt: NOW + 3600_000,
  approvalsRequired: 1,
  state: "pending",
  approvals: [],
};
const APPROVED = requestView({
  ...PENDING,
  state: "approved",
  approvals: [{ by: "approver@example.com", subject: "sub-a", at: NOW, comment: "" }],
  grantId: "g9",
});

const RECORD = {
  type: "request",
  phase: "end",
  id: "a1",
  ts: "2026-01-01T10:00:00.000Z",
  user: "dev@example.com",
  kubectlCommand: "kubectl get",
  verb: "get",
  resource: "pods",
  name: "web-1",
  namespace: "team-a",
  status: "200",
  decision: "allowed",
  cluster: "test",
};
const AUDIT = [{ ...RECORD, phase: "start", status: "" }, RECORD];

describe("-o/--output", () => {
  it("reads every format kubectl users expect", () => {
    assert.deepEqual(outputFormat(undefined), { kind: "table", wide: false });
    assert.deepEqual(outputFormat("wide"), { kind: "table", wide: true });
    assert.deepEqual(outputFormat("json"), { kind: "json" });
    assert.deepEqual(outputFormat("yaml"), { kind: "yaml" });
    assert.deepEqual(outputFormat("name"), { kind: "name" });
    const jsonpath = outputFormat("jsonpath={.items[*].id}");
    assert.equal(jsonpath.kind, "jsonpath");
    assert.equal(render(jsonpath, { value: { items: [G1, G2] }, names: [], text: () => "" }), "g1 g2");
    assert.equal(
      render(outputFormat('jsonpath={.a}={"="}'), { value: { a: "x" }, names: [], text: () => "" }),
      "x==",
      "the template may hold '='",
    );
  });

  it("an unknown format is one usage error listing the valid ones", () => {
    const refused = (
      value: string,
      message: string,
      ...rest: Parameters<typeof outputFormat> extends [unknown, ...infer R] ? R : never
    ) =>
      assert.throws(
        () => outputFormat(value, ...rest),
        (err: Error & { exitCode?: number }) => err.exitCode === 2 && err.message === message,
      );
    refused(
      "x",
      '--output must be one of json, yaml, name, jsonpath=TEMPLATE, wide (or left out for a table), not "x"',
    );
    refused(
      "table",
      '--output must be one of json, yaml, name, jsonpath=TEMPLATE, wide (or left out for a table), not "table"',
    );
    refused(
      "json=1",
      '--output must be one of json, yaml, name, jsonpath=TEMPLATE, wide (or left out for a table), not "json=1"',
    );
    refused(
      "name",
      '--output must be one of json, yaml (or left out for text), not "name"',
      ["json", "yaml"],
      "text",
    );
    refused("jsonpath=", "--output jsonpath needs a template: -o jsonpath='{.items[*].id}'");
  });

  it("renders json (2-space), yaml, name and the table", () => {
    const printable = {
      value: { items: [{ id: "a" }] },
      names: ["grant/a"],
      text: (wide: boolean) => `T${wide}\n`,
    };
    assert.equal(
      render({ kind: "json" }, printable),
      '{\n  "items": [\n    {\n      "id": "a"\n    }\n  ]\n}\n',
    );
    assert.equal(render({ kind: "yaml" }, printable), "items:\n  - id: a\n");
    assert.equal(render({ kind: "name" }, printable), "grant/a\n");
    assert.equal(render({ kind: "table", wide: false }, printable), "Tfalse\n");
    assert.equal(render({ kind: "table", wide: true }, printable), "Ttrue\n");
  });
});

describe("commands print results on stdout, in the format asked, and the rest on stderr", () => {
  let broker: FakeBroker;
  before(async () => {
    broker = await fakeBroker({
      "GET /v1/grants": { body: { items: [G1, G2] } },
      "DELETE /v1/grants/g1": { body: { ...G1, state: "ended", endReason: "revoked" } },
      "GET /v1/requests": { body: { items: [requestView(PENDING), APPROVED] } },
      "POST /v1/requests": { body: requestView(PENDING) },
      "POST /v1/requests/r1/approve": { body: APPROVED },
      "GET /v1/audit": { body: { items: AUDIT, nextCursor: null } },
      "GET /v1/whoami": {
        body: {
          principal: { kind: "user", subject: "s", name: "dev@example.com", groups: ["developers"] },
          admin: false,
          sessionExpiresAt: "2026-01-01T12:00:00.000Z",
          entitlements: { standing: [], requestable: [] },
        },
      },
    });
  });
  after(() => broker.close());

  const cli = async (...args: string[]) => {
    const { ctx, printed, cleanup } = signedInContext(broker.url);
    try {
      const code = await runCli(args, ctx);
      return { code, ...printed };
    } finally {
      cleanup();
    }
  };

  it("grants: a table, wider with -o wide; -o name, yaml, json and jsonpath", async () => {
    const table = await cli("grants");
    assert.match(
      table.stdout,
      /^ID +CLUSTER +ROLE +NAMESPACES +STATE +ENDS +ORIGIN\ng1 +test +view +team-a +active/,
    );
    const wide = await cli("grants", "-o", "wide");
    assert.match(wide.stdout, /^ID .* ORIGIN +CREATED +SERVICE ACCOUNT +REASON\n/);
    assert.match(wide.stdout, /g2 .* kube-broker-grants\/kb-dev-g2 +INC-7\n/);
    assert.equal((await cli("grants", "-o", "name")).stdout, "grant/g1\ngrant/g2\n");
    assert.deepEqual(parse((await cli("grants", "-o", "yaml")).stdout), { items: [G1, G2] });
    assert.deepEqual(JSON.parse((await cli("grants", "-o", "json")).stdout), { items: [G1, G2] });
    const jsonpath = await cli(
      "grants",
      "-o",
      'jsonpath={range .items[*]}{.id}{"\\t"}{.namespaces[0]}{"\\n"}{end}',
    );
    assert.equal(jsonpath.stdout, "g1\tteam-a\ng2\tteam-b\n");
    const bad = await cli("grants", "-o", "jsonpath={.items[}");
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /^kubectl-broker: --output jsonpath template "\{\.items\[\}": an unclosed "\[" in "\.items\["\n$/,
    );
  });

  it("requests: -o name and jsonpath", async () => {
    assert.equal((await cli("requests", "-o", "name")).stdout, "request/r1\nrequest/r1\n");
    assert.equal((await cli("requests", "-o", "jsonpath={.items[*].state}")).stdout, "pending approved");
    assert.match((await cli("requests", "-o", "wide")).stdout, /APPROVED BY +GRANT +REASON\n/);
  });

  it("request, approve, revoke: the ID alone on stdout (id=$(…)), what happened on stderr", async () => {
    const asked = await cli("request", "--cluster", "test", "--role", "edit", "-n", "team-a", "--for", "30m");
    assert.equal(asked.code, 0, asked.stderr);
    assert.equal(asked.stdout, "r1\n");
    assert.match(
      asked.stderr,
      /^Request r1 for edit in team-a on test is pending: 0 of 1 approval\(s\)\.\n$/,
    );
    assert.equal(
      (await cli("request", "--cluster", "t", "--role", "r", "--for", "1m", "-o", "name")).stdout,
      "request/r1\n",
    );

    const approved = await cli("approve", "r1");
    assert.equal(approved.stdout, "r1\n");
    assert.match(approved.stderr, /is approved: grant g9\./);
    assert.equal((await cli("approve", "r1", "-o", "jsonpath={.grantId}")).stdout, "g9");

    const revoked = await cli("revoke", "g1");
    assert.equal(revoked.stdout, "g1\n");
    assert.equal(revoked.stderr, "Grant g1 (view on test) is ended.\n");
    const named = await cli("revoke", "g1", "-o", "name");
    assert.equal(named.stdout, "grant/g1\n");
    assert.equal(named.stderr, "");
  });

  it("whoami: text, or -o name and jsonpath", async () => {
    assert.match((await cli("whoami")).stdout, /^User: +dev@example\.com\n/);
    assert.equal((await cli("whoami", "-o", "name")).stdout, "user/dev@example.com\n");
    assert.equal((await cli("whoami", "-o", "jsonpath={.principal.groups[0]}")).stdout, "developers");
    const bad = await cli("whoami", "-o", "table");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /or left out for text\), not "table"/);
  });

  it("audit query: a table with the kubectl command and the object's name; wide, JSON lines, name", async () => {
    const table = await cli("audit", "query");
    assert.equal(
      table.stdout,
      [
        "TIME                       USER              COMMAND       VERB   RESOURCE   NAME    NAMESPACE   STATUS   RESULT",
        "2026-01-01T10:00:00.000Z   dev@example.com   kubectl get   get    pods       web-1   team-a      200      allowed",
        "",
      ].join("\n"),
      "one line per request: its end record",
    );
    assert.match(
      (await cli("audit", "query", "-o", "wide")).stdout,
      /RESULT +CLUSTER .*\n.* allowed +test +- /,
    );
    const lines = (await cli("audit", "query", "-o", "json")).stdout.trim().split("\n");
    assert.deepEqual(JSON.parse(lines[0]!), RECORD);
    assert.equal(
      (await cli("audit", "query", "--phase", "start", "-o", "name")).stdout,
      "record/a1\nrecord/a1\n",
    );
    assert.equal((await cli("audit", "query", "-o", 'jsonpath={.name}{"\\n"}')).stdout, "web-1\n");
    const export_ = await cli("audit", "export", "-o", "yaml");
    assert.equal(export_.code, 2);
  });
});
