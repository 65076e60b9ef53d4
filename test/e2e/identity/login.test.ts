import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Redis } from "ioredis";
import { HeadlessBrowser } from "../../support/browser.ts";
import { bearer, loginAs, loopbackTrip, redeem } from "../../support/login.ts";
import { type Stack, startStack } from "../../support/stack.ts";

describe("login for people", () => {
  let stack: Stack;
  let url: string;
  let client: Redis;

  before(async () => {
    stack = await startStack({
      config: () => ({
        policies: {
          standing: [
            {
              subjects: { groups: ["developers", "sre"] },
              roles: ["view"],
              namespaces: ["team-*"],
              maxTtl: "2h",
            },
          ],
        },
        limits: { rateLimits: { login: { perMinute: 40 } } },
      }),
    });
    url = stack.url;
    client = stack.redis.client();
  });
  after(() => stack?.close());

  it("loopback: the browser ends at the CLI with a one-time code, redeemed with PKCE for a session", async () => {
    const trip = await loopbackTrip(url, "dev");
    assert.equal(trip.error, null);
    assert.equal(trip.state, trip.expectedState, "the CLI's own state comes back");
    const res = await redeem(url, trip);
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      session: string;
      principal: { name: string; groups: string[] };
      expiresAt: string;
    };
    assert.match(body.session, /^kbs_/);
    assert.equal(body.principal.name, "dev@example.com");
    assert.deepEqual(body.principal.groups, ["developers"]);
    assert.ok(
      Date.parse(body.expiresAt) > Date.now() + 11 * 3600_000,
      "a refresh token allows the full session TTL",
    );

    const whoami = await fetch(`${url}/v1/whoami`, { headers: bearer(body.session) });
    const me = (await whoami.json()) as {
      principal: { subject: string };
      admin: boolean;
      entitlements: { standing: unknown[] };
    };
    assert.equal(me.principal.subject, "dev");
    assert.equal(me.admin, false);
    assert.equal(me.entitlements.standing.length, 1);
  });

  it("ends with a working credential for what policy allows", async () => {
    const session = await loginAs(url, "dev");
    const res = await fetch(`${url}/v1/credentials`, {
      method: "POST",
      headers: bearer(session),
      body: JSON.stringify({ cluster: "test", role: "view", namespace: "team-a" }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const credential = (await res.json()) as {
      token: string;
      expirationTimestamp: string;
      grant: { id: string };
    };
    const pods = await fetch(`${url}/clusters/test/api/v1/namespaces/team-a/pods`, {
      headers: { authorization: `Bearer ${credential.token}` },
    });
    assert.equal(pods.status, 200, "a working cluster token");
    assert.ok(Date.parse(credential.expirationTimestamp) > Date.now());

    const again = (await (
      await fetch(`${url}/v1/credentials`, {
        method: "POST",
        headers: bearer(session),
        body: JSON.stringify({ cluster: "test", role: "view", namespace: "team-a" }),
      })
    ).json()) as { grant: { id: string } };
    assert.equal(again.grant.id, credential.grant.id, "the active grant is reused");
  });

  it("refuses a replayed one-time code and a wrong verifier", async () => {
    const trip = await loopbackTrip(url, "dev");
    assert.equal((await redeem(url, trip)).status, 200);
    const replay = await redeem(url, trip);
    assert.equal(replay.status, 401);
    assert.match(((await replay.json()) as { message: string }).message, /already used/);

    const other = await loopbackTrip(url, "dev");
    const wrong = await redeem(url, other, "x".repeat(43));
    assert.equal(wrong.status, 401);
    assert.equal((await redeem(url, other)).status, 401, "a code spent on a wrong verifier stays spent");
  });

  it("refuses login redirects that are not loopback or configured, before visiting the IdP", async () => {
    for (const redirect of [
      "https://evil.example.com/cb",
      "http://127.0.0.1.evil.example.com:80/cb",
      "http://127.0.0.1/cb",
      "javascript:alert(1)",
    ]) {
      const start = new URL("/v1/login/start", url);
      start.search = new URLSearchParams({
        redirect_uri: redirect,
        code_challenge: "a".repeat(43),
        state: "s".repeat(20),
      }).toString();
      const res = await fetch(start, { redirect: "manual" });
      assert.equal(res.status, 400, redirect);
      const status = (await res.json()) as { kind: string; message: string };
      assert.equal(status.kind, "Status");
      assert.match(status.message, /redirect_uri/);
    }
  });

  it("device flow: the person signs in elsewhere while the CLI polls", async () => {
    const started = await fetch(`${url}/v1/login/device`, { method: "POST" });
    const device = (await started.json()) as {
      device_code: string;
      user_code: string;
      verification_uri_complete: string;
      interval: number;
    };
    assert.ok(device.user_code);
    const poll = () =>
      fetch(`${url}/v1/login/device/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ device_code: device.device_code }),
      });
    const pending = await poll();
    assert.equal(pending.status, 202);
    await new HeadlessBrowser().visit(device.verification_uri_complete, { login: "approver" });
    let res = await poll();
    for (let i = 0; i < 20 && res.status === 202; i++) {
      await new Promise((r) => setTimeout(r, 500));
      res = await poll();
    }
    assert.equal(res.status, 200);
    const body = (await res.json()) as { session: string; principal: { name: string } };
    assert.equal(body.principal.name, "approver@example.com");
    const reuse = await poll();
    assert.equal(reuse.status, 401, "a device code gives one session");

    const { token } = await stack.credential(body.session, { role: "view", namespace: "team-a" });
    const pods = await fetch(`${url}/clusters/test/api/v1/namespaces/team-a/pods`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(pods.status, 200, "the device login ends with a working cluster token");
  });

  it("logout and an admin's revoke end sessions at once", async () => {
    const mine = await loginAs(url, "dev");
    assert.equal((await fetch(`${url}/v1/logout`, { method: "POST", headers: bearer(mine) })).status, 204);
    assert.equal((await fetch(`${url}/v1/whoami`, { headers: bearer(mine) })).status, 401);

    const victim = await loginAs(url, "dev");
    const admin = await loginAs(url, "admin");
    const notAdmin = await fetch(`${url}/v1/sessions/revoke`, {
      method: "POST",
      headers: bearer(victim),
      body: JSON.stringify({ subject: "admin" }),
    });
    assert.equal(notAdmin.status, 403);
    const revoked = await fetch(`${url}/v1/sessions/revoke`, {
      method: "POST",
      headers: bearer(admin),
      body: JSON.stringify({ subject: "dev" }),
    });
    assert.equal(revoked.status, 200);
    assert.equal((await fetch(`${url}/v1/whoami`, { headers: bearer(victim) })).status, 401);
    assert.equal((await fetch(`${url}/v1/whoami`, { headers: bearer(admin) })).status, 200);
  });

  it("stores no session secret or one-time code in clear", async () => {
    const session = await loginAs(url, "dev");
    const keys = await client.keys(`${stack.redis.keyPrefix}*`);
    for (const key of keys) {
      const type = await client.type(key);
      const value =
        type === "string"
          ? await client.get(key)
          : JSON.stringify(await client.smembers(key).catch(() => []));
      assert.ok(!key.includes(session.slice(4)) && !(value ?? "").includes(session.slice(4)), key);
    }
  });

  it("a person outside every policy gets 403; asking beyond the max TTL gets 422 naming it", async () => {
    const outsider = await loginAs(url, "stranger");
    const refused = await fetch(`${url}/v1/credentials`, {
      method: "POST",
      headers: bearer(outsider),
      body: JSON.stringify({ cluster: "test", role: "view", namespace: "team-a" }),
    });
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as { message: string }).message, /stranger/);

    const dev = await loginAs(url, "dev");
    const tooLong = await fetch(`${url}/v1/credentials`, {
      method: "POST",
      headers: bearer(dev),
      body: JSON.stringify({ cluster: "test", role: "view", namespace: "team-b", ttl: "3h" }),
    });
    assert.equal(tooLong.status, 422);
    assert.match(((await tooLong.json()) as { message: string }).message, /maximum of 2h/);
    const bindings = stack.standIn.store.list("rolebindings", "team-b");
    assert.ok(!bindings.some((b) => b.metadata?.labels?.["app.kubernetes.io/managed-by"] === "kube-broker"));
  });

  it("rate-limits the login endpoints per client", async () => {
    let limited: Response | undefined;
    for (let i = 0; i < 60 && !limited; i++) {
      const res = await fetch(`${url}/v1/login/device/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      if (res.status === 429) limited = res;
    }
    assert.ok(limited, "a 429 came");
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    assert.equal(((await limited.json()) as { reason: string }).reason, "TooManyRequests");
  });
});
