import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SessionStore } from "../../../../src/cli/cache/session-store.ts";
import { COMMANDS } from "../../../../src/cli/commands.ts";
import { complete, completions, DIRECTIVE, protocol } from "../../../../src/cli/completion/complete.ts";
import { runCli } from "../../../../src/cli/run-cli.ts";
import { freePort } from "../../../../tools/free-port.ts";
import { type FakeBroker, fakeBroker, signedInContext } from "../../../support/fakes/fake-broker.ts";
import { fakeContext } from "../../../support/fakes/fake-cli-context.ts";

const NO_FILES = DIRECTIVE.noFileComp;
const values = (answer: { candidates: { value: string }[] }) => answer.candidates.map((c) => c.value);

const WHOAMI = {
  principal: { name: "dev@example.com", groups: ["developers"] },
  admin: false,
  sessionExpiresAt: "2030-01-01T00:00:00.000Z",
  entitlements: {
    standing: [
      {
        cluster: "prod",
        role: "view",
        scope: "namespaced",
        namespaces: ["team-*", "payments"],
        maxTtlSeconds: 3600,
      },
    ],
    requestable: [
      {
        cluster: "prod",
        role: "edit",
        scope: "namespaced",
        namespaces: ["payments", "team-?", "billing"],
        maxDurationSeconds: 7200,
        approvers: { groups: ["sre"] },
        approvalsRequired: 1,
        reasonRequired: true,
        autoApprove: false,
      },
      {
        cluster: "staging",
        role: "admin",
        scope: "cluster",
        namespaces: [],
        maxDurationSeconds: 3600,
        approvers: { groups: ["sre"] },
        approvalsRequired: 1,
        reasonRequired: true,
        autoApprove: false,
      },
    ],
  },
};

const REQUEST = {
  id: "req-7f3a",
  requester: "ann@example.com",
  cluster: "prod",
  role: "edit",
  namespaces: ["payments"],
  duration: 1800,
  reason: "incident 42",
  state: "pending",
};

const GRANT = {
  id: "g-91c2",
  cluster: "prod",
  role: "view",
  namespaces: ["team-a"],
  clusterWide: false,
  state: "active",
  expiresAt: "2026-01-01T00:12:00.000Z",
};

describe("kubectl-broker __complete", () => {
  let broker: FakeBroker;
  before(async () => {
    broker = await fakeBroker({
      "GET /v1/clusters": { body: { items: [{ name: "prod" }, { name: "staging" }] } },
      "GET /v1/whoami": { body: WHOAMI },
      "GET /v1/requests": { body: { items: [REQUEST] } },
      "GET /v1/grants": { body: { items: [GRANT] } },
    });
  });
  after(() => broker.close());

  /** A signed-in context; `asked` counts only what this test asked the broker. */
  const signedIn = () => {
    const fake = signedInContext(broker.url);
    const start = broker.asked.length;
    return { ...fake, asked: () => broker.asked.slice(start).map((a) => a.path) };
  };

  it("speaks cobra's protocol: a candidate per line, a tab before its description, the directive last", () => {
    assert.equal(
      protocol({
        candidates: [{ value: "login", description: "sign in\t(browser,\n or --device)" }, { value: "prod" }],
        directive: 6,
      }),
      "login\tsign in (browser, or --device)\nprod\n:6\n",
    );
    assert.equal(protocol({ candidates: [], directive: 4 }), ":4\n");
  });

  it("completes the subcommands of the registry, with their summaries, by what is typed", async () => {
    const { ctx, printed } = fakeContext();
    assert.equal(await runCli(["__complete", ""], ctx), 0);
    const expected = Object.entries(COMMANDS).map(([name, entry]) => `${name}\t${entry.summary}\n`);
    assert.equal(printed.stdout, `${expected.join("")}:4\n`);
    assert.deepEqual(values(await completions(["re"], ctx)), ["revoke", "request", "requests", "report"]);
    assert.deepEqual(values(await completions(["help", "ap"], ctx)), ["approve"]);
    assert.deepEqual(values(await completions(["--v"], ctx)), ["--version"]);
    assert.deepEqual(await completions(["nonsense", ""], ctx), { candidates: [], directive: NO_FILES });
    assert.equal(printed.stderr, "");
  });

  it("completes a command's flags, with what its usage says of them, and not those given already", async () => {
    const { ctx } = fakeContext();
    const flags = await completions(["grants", "--"], ctx);
    assert.deepEqual(values(flags), [
      "--server",
      "--certificate-authority",
      "--output",
      "--all",
      "--everyone",
    ]);
    assert.equal(flags.directive, NO_FILES);
    assert.deepEqual(
      flags.candidates.find((c) => c.value === "--all"),
      {
        value: "--all",
        description: "include ended grants",
      },
    );
    assert.match(
      flags.candidates.find((c) => c.value === "--output")!.description!,
      /json, yaml, name, jsonpath=…, wide/,
    );
    assert.deepEqual(values(await completions(["grants", "--all", "--"], ctx)).includes("--all"), false);
    // -n may be repeated for a request: offered again.
    assert.deepEqual(values(await completions(["request", "-n", "a", "--n"], ctx)), ["--namespace"]);
    assert.deepEqual(values(await completions(["login", "--de"], ctx)), ["--device"]);
  });

  it("completes -o with the formats the command takes, inline too; a prefix takes no space after it", async () => {
    const { ctx } = fakeContext();
    assert.deepEqual(values(await completions(["grants", "-o", ""], ctx)), [
      "json",
      "yaml",
      "name",
      "jsonpath=",
      "wide",
    ]);
    assert.deepEqual(values(await completions(["version", "-o", ""], ctx)), ["json", "yaml"]);
    assert.deepEqual(values(await completions(["ci-token", "--output", ""], ctx)), [
      "json",
      "yaml",
      "name",
      "jsonpath=",
    ]);
    assert.deepEqual(values(await completions(["grants", "--output=y"], ctx)), ["--output=yaml"]);
    const jsonpath = await completions(["requests", "-o", "jsonp"], ctx);
    assert.deepEqual(values(jsonpath), ["jsonpath="]);
    assert.equal(jsonpath.directive, NO_FILES | DIRECTIVE.noSpace);
  });

  it("completes audit's mode before its flags, fixed values, shells, and files where a flag names one", async () => {
    const { ctx } = fakeContext();
    assert.deepEqual(values(await completions(["audit", ""], ctx)), ["tail", "query", "export"]);
    assert.deepEqual(values(await completions(["audit", "-"], ctx)), []);
    assert.deepEqual(values(await completions(["audit", "tail", "--dec"], ctx)), ["--decision"]);
    assert.deepEqual(values(await completions(["audit", "query", "--decision", "denied"], ctx)), [
      "denied-by-broker",
      "denied-by-cluster",
    ]);
    assert.deepEqual(values(await completions(["audit", "tail", ""], ctx)), []);
    assert.ok(
      values(await completions(["report", ""], ctx)).includes("rbac"),
      "report's kinds, like audit's modes",
    );
    assert.deepEqual(values(await completions(["report", "rbac", "--cl"], ctx)), ["--cluster"]);
    assert.deepEqual(values(await completions(["completion", ""], ctx)), ["bash", "zsh", "fish"]);
    assert.deepEqual(values(await completions(["completion", "zsh", ""], ctx)), []);
    assert.deepEqual(await completions(["kubeconfig", "--file", ""], ctx), { candidates: [], directive: 0 });
    assert.deepEqual(await completions(["login", "--certificate-authority", "ca"], ctx), {
      candidates: [],
      directive: 0,
    });
    assert.deepEqual(values(await completions(["ci-token", "--provider", "e"], ctx)), ["env:"]);
    assert.deepEqual(values(await completions(["login", "--token-cache-storage", ""], ctx)), [
      "keyring",
      "disk",
    ]);
  });

  it("completes cluster names from GET /v1/clusters, which needs no session", async () => {
    const { ctx } = fakeContext({ KUBE_BROKER_SERVER: broker.url, KUBE_BROKER_CACHE_DIR: tempDir() });
    const clusters = await completions(["kubeconfig", "--cluster", ""], ctx);
    assert.deepEqual(clusters, {
      candidates: [{ value: "prod" }, { value: "staging" }],
      directive: NO_FILES,
    });
    assert.deepEqual(values(await completions(["request", "--cluster=st"], ctx)), ["--cluster=staging"]);
    // Without a session, nothing that needs one is asked for.
    const before = broker.asked.length;
    assert.deepEqual(values(await completions(["request", "--role", ""], ctx)), []);
    assert.deepEqual(values(await completions(["approve", ""], ctx)), []);
    assert.equal(broker.asked.length, before);
  });

  it("completes roles and namespaces from the person's entitlements, as the command and the typed flags narrow them", async () => {
    const { ctx, printed, cleanup, asked } = signedIn();
    try {
      const roles = await completions(["kubeconfig", "--role", ""], ctx);
      assert.deepEqual(roles.candidates, [
        { value: "view", description: "standing on prod" },
        { value: "edit", description: "by request on prod" },
        { value: "admin", description: "by request on staging" },
      ]);
      assert.deepEqual(values(await completions(["request", "--role", ""], ctx)), ["edit", "admin"]);
      assert.deepEqual(values(await completions(["request", "--cluster", "staging", "--role", ""], ctx)), [
        "admin",
      ]);
      // Globs are no names; namespaces already given are not offered again.
      assert.deepEqual(await completions(["kubeconfig", "-n", ""], ctx), {
        candidates: [
          { value: "payments", description: "view, edit" },
          { value: "billing", description: "edit" },
        ],
        directive: NO_FILES,
      });
      assert.deepEqual(values(await completions(["kubeconfig", "--role", "view", "-n", ""], ctx)), [
        "payments",
      ]);
      assert.deepEqual(values(await completions(["request", "-n", "payments", "-n", ""], ctx)), ["billing"]);
      assert.deepEqual(asked(), ["/v1/whoami"], "asked once, then answered from the cache");
      assert.equal(printed.stderr, "");
    } finally {
      cleanup();
    }
  });

  it("completes request IDs to decide or cancel and grant IDs to revoke, with a few words on each", async () => {
    const { ctx, cleanup, asked } = signedIn();
    try {
      assert.deepEqual(await completions(["approve", ""], ctx), {
        candidates: [{ value: "req-7f3a", description: "ann@example.com: edit on prod in payments for 30m" }],
        directive: NO_FILES,
      });
      assert.deepEqual(values(await completions(["deny", "req"], ctx)), ["req-7f3a"]);
      assert.deepEqual(await completions(["cancel", ""], ctx), {
        candidates: [{ value: "req-7f3a", description: "edit on prod in payments for 30m" }],
        directive: NO_FILES,
      });
      assert.deepEqual(values(await completions(["approve", "req-7f3a", ""], ctx)), [], "one ID only");
      assert.deepEqual(await completions(["revoke", ""], ctx), {
        candidates: [{ value: "g-91c2", description: "view on prod in team-a, ends in 12m" }],
        directive: NO_FILES,
      });
      assert.deepEqual(values(await completions(["revoke", "--self", ""], ctx)), []);
      assert.deepEqual(asked(), [
        "/v1/requests?scope=review&state=pending",
        "/v1/requests?scope=mine&state=pending",
        "/v1/grants",
      ]);
    } finally {
      cleanup();
    }
  });

  it("keeps the broker's answers on disk (0600) for a while, per broker and person, by the injected clock", async () => {
    const { ctx, clock, cleanup, asked } = signedIn();
    try {
      await completions(["request", "--cluster", ""], ctx);
      await completions(["request", "--cluster", "p"], ctx);
      await completions(["revoke", ""], ctx);
      assert.deepEqual(asked(), ["/v1/clusters", "/v1/grants"]);
      const dir = ctx.env.KUBE_BROKER_CACHE_DIR!;
      const files = readdirSync(dir).filter((f) => f.startsWith("completion-"));
      assert.equal(files.length, 2);
      for (const file of files) assert.equal(statSync(join(dir, file)).mode & 0o777, 0o600);

      clock.advance(11_000); // grants change as people work: kept seconds
      await completions(["revoke", ""], ctx);
      await completions(["request", "--cluster", ""], ctx);
      assert.deepEqual(asked().slice(2), ["/v1/grants"]);
      clock.advance(50_000); // clusters change with the configuration: kept a minute
      await completions(["request", "--cluster", ""], ctx);
      assert.deepEqual(asked().slice(3), ["/v1/clusters"]);

      // Someone else signed in on this machine gets answers of their own.
      new SessionStore(dir).write({
        server: broker.url,
        session: "kbs_other",
        expiresAt: "2030-01-01T00:00:00.000Z",
        principal: { name: "ops@example.com" },
      });
      await completions(["revoke", ""], ctx);
      assert.deepEqual(asked().slice(4), ["/v1/grants"]);
    } finally {
      cleanup();
    }
  });

  it("with the broker refusing, unreachable or silent, offers what it knows locally within its deadline", async () => {
    const silent = createServer(() => {
      // Never answers.
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      for (const server of [silentUrl, `http://127.0.0.1:${await freePort()}`]) {
        const { ctx, printed, cleanup } = signedInContext(server);
        try {
          const started = performance.now();
          assert.deepEqual(await completions(["request", "--cluster", ""], ctx, { timeoutMs: 300 }), {
            candidates: [],
            directive: NO_FILES,
          });
          assert.deepEqual(await completions(["approve", ""], ctx, { timeoutMs: 300 }), {
            candidates: [],
            directive: NO_FILES,
          });
          assert.ok(performance.now() - started < 5000, "the deadline holds");
          assert.deepEqual(values(await completions(["request", "--wa"], ctx, { timeoutMs: 300 })), [
            "--wait",
          ]);
          assert.equal(printed.stderr, "");
        } finally {
          cleanup();
        }
      }
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it("a refused session is left as it is: completion changes nothing", async () => {
    const refusing = await fakeBroker({
      "GET /v1/whoami": { status: 401, body: { kind: "Status", code: 401, message: "session expired" } },
    });
    const { ctx, printed, cleanup } = signedInContext(refusing.url);
    try {
      assert.deepEqual(values(await completions(["request", "--role", ""], ctx)), []);
      assert.ok(new SessionStore(ctx.env.KUBE_BROKER_CACHE_DIR!).read(refusing.url).session);
      assert.equal(printed.stderr, "");
      assert.equal(existsSync(join(ctx.env.KUBE_BROKER_CACHE_DIR!, "login.lock")), false);
    } finally {
      cleanup();
      await refusing.close();
    }
  });

  it("answers what it knows locally even when reading the environment fails", async () => {
    const { ctx, printed } = fakeContext();
    ctx.env = new Proxy(
      {},
      {
        get: () => {
          throw new Error("boom");
        },
      },
    );
    assert.equal(await complete(["request", "--wa"], ctx), 0);
    assert.equal(printed.stdout, "--wait\n:4\n");
    assert.equal(printed.stderr, "");
  });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "kb-completion-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
