import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseJsonPath } from "../../../src/cli/output/jsonpath.ts";

/** kubectl's own example (kubernetes.io/docs/reference/kubectl/jsonpath), and ours. */
const KUBE = {
  kind: "List",
  items: [
    {
      kind: "None",
      metadata: { name: "127.0.0.1", labels: { "kubernetes.io/hostname": "127.0.0.1" } },
      status: { capacity: { cpu: "4" }, addresses: [{ type: "LegacyHostIP", address: "127.0.0.1" }] },
    },
    {
      kind: "None",
      metadata: { name: "127.0.0.2" },
      status: {
        capacity: { cpu: "8" },
        addresses: [
          { type: "LegacyHostIP", address: "127.0.0.2" },
          { type: "another", address: "127.0.0.3" },
        ],
      },
    },
  ],
  users: [
    { name: "myself", user: {} },
    { name: "e2e", user: { username: "admin", password: "secret" } },
  ],
};

const GRANTS = {
  items: [
    { id: "g1", state: "active", namespaces: ["a", "b"], ttl: 600 },
    { id: "g2", state: "ended", namespaces: [], ttl: 3600 },
    { id: "g3", state: "active", namespaces: ["c"], ttl: 60 },
  ],
};

const run = (template: string, value: unknown = KUBE) => parseJsonPath(template).execute(value);

describe("kubectl's JSONPath templates", () => {
  it("prints fields, with literal text between them", () => {
    assert.equal(run("kind is {.kind}"), "kind is List");
    assert.equal(run("{.kind}"), "List");
    assert.equal(run("{$.kind}"), "List");
    assert.equal(run("{['kind']}"), "List");
    assert.equal(run("{.items[0].metadata.name}"), "127.0.0.1");
    assert.equal(run("{.users[0].name}"), "myself");
  });

  it("joins the results of one expression with spaces: [*], .*, unions, recursive descent", () => {
    assert.equal(run("{.items[*].metadata.name}"), "127.0.0.1 127.0.0.2");
    assert.equal(run("{.items[*].id}", GRANTS), "g1 g2 g3");
    assert.equal(run("{..name}"), "127.0.0.1 127.0.0.2 myself e2e");
    assert.equal(run("{.users[*].name}"), "myself e2e");
    assert.equal(run("{.items[0].status.capacity.*}"), "4");
    assert.equal(run("{.items[*]['metadata.name', 'kind']}"), "None None");
    assert.equal(run("{.items[0,2].id}", GRANTS), "g1 g3");
  });

  it("indexes from the end and slices", () => {
    assert.equal(run("{.items[-1].id}", GRANTS), "g3");
    assert.equal(run("{.items[-3].id}", GRANTS), "g1");
    assert.equal(run("{.items[-4].id}", GRANTS), "", "a negative index does not wrap around");
    assert.equal(run("{.items[0:2].id}", GRANTS), "g1 g2");
    assert.equal(run("{.items[1:].id}", GRANTS), "g2 g3");
    assert.equal(run("{.items[::2].id}", GRANTS), "g1 g3");
    assert.equal(run("{.items[-2:].id}", GRANTS), "g2 g3");
    assert.equal(run("{.items[::-1].id}", GRANTS), "g3 g2 g1");
  });

  it("filters", () => {
    assert.equal(run('{.users[?(@.name=="e2e")].user.password}'), "secret");
    assert.equal(run("{.items[?(@.state=='active')].id}", GRANTS), "g1 g3");
    assert.equal(run('{.items[?(@.state!="active")].id}', GRANTS), "g2");
    assert.equal(run("{.items[?(@.ttl>=600)].id}", GRANTS), "g1 g2");
    assert.equal(run("{.items[?(@.ttl<600)].id}", GRANTS), "g3");
    assert.equal(run("{.users[?(@.user.password)].name}"), "e2e");
  });

  it("iterates with range … end, quoted text for tabs and newlines", () => {
    assert.equal(
      run('{range .items[*]}{.id}{"\\t"}{.state}{"\\n"}{end}', GRANTS),
      "g1\tactive\ng2\tended\ng3\tactive\n",
    );
    assert.equal(
      run("{range .items[*]}[{.metadata.name}, {.status.capacity}] {end}"),
      '[127.0.0.1, {"cpu":"4"}] [127.0.0.2, {"cpu":"8"}] ',
    );
    assert.equal(
      run('{range .items[*]}{.id}:{range .namespaces[*]} {@}{end}{"\\n"}{end}', GRANTS),
      "g1: a b\ng2:\ng3: c\n",
      "ranges nest; @ is the current item",
    );
    assert.equal(run("{range .items[*]}{$.kind}/{.kind} {end}"), "List/None List/None ", "$ is the root");
  });

  it("prints objects and lists as JSON, missing fields as nothing, and the whole value for {@}", () => {
    assert.equal(run("{.items[0].metadata.labels}"), '{"kubernetes.io/hostname":"127.0.0.1"}');
    assert.equal(run("{.items[0].namespaces}", GRANTS), '["a","b"]');
    assert.equal(run("{.items[0].status.nothing}x"), "x");
    assert.equal(run("{.items[1].metadata.labels.kubernetes\\.io/hostname}"), "");
    assert.equal(run("{.items[0].metadata.labels.kubernetes\\.io/hostname}"), "127.0.0.1");
    assert.equal(run("{@}", { a: 1 }), '{"a":1}');
    assert.equal(run("{.a} {.b} {.c}", { a: 1, b: true, c: null }), "1 true ");
    assert.equal(run("plain text only"), "plain text only");
  });

  it("refuses a template it cannot read, saying what is wrong (a usage error, exit 2)", () => {
    const refused = (template: string, why: RegExp) =>
      assert.throws(
        () => parseJsonPath(template),
        (err: Error & { exitCode?: number }) => err.exitCode === 2 && why.test(err.message),
      );
    refused("{.items[*].id", /jsonpath template "\{\.items\[\*\]\.id": unclosed "\{"/);
    refused("{range .items[*]}{.id}", /\{range\} without an \{end\}/);
    refused("{.id}{end}", /\{end\} without a \{range\}/);
    refused("{.items[}", /an unclosed "\["/);
    refused("{.items[x]}", /"x" is not an index/);
    refused("{}", /an empty \{\}/);
    refused("{.items[?(@.a==b)]}", /"b" is neither a path, a quoted string nor a number/);
    refused("{.items[::0]}", /a slice step of 0/);
  });
});
