import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { OidcProviderHarness } from "../../../tools/dev-idp/oidc-provider.ts";
import { HeadlessBrowser } from "../../support/browser.ts";
import { bearer, loginAs, redeem } from "../../support/login.ts";
import type { Stack } from "../../support/stack.ts";
import { startTwoIdpStack, type TwoIdpStack } from "../../support/two-idps.ts";

interface Me {
  principal: { name: string; subject: string; groups: string[]; idp: string };
  admin: boolean;
}

/** Two real oidc-provider instances behind one broker, and a third provider that is down (two-idps.ts). */
describe("several identity providers", () => {
  let idps: TwoIdpStack;
  let stack: Stack;
  let partners: OidcProviderHarness;
  let url: string;

  before(async () => {
    idps = await startTwoIdpStack();
    ({ stack, partners } = idps);
    url = stack.url;
  });
  after(() => idps?.close());

  /** /v1/login/start as the CLI opens it (a loopback redirect, a PKCE challenge, a state), plus `extra`. */
  const startUrl = (extra: Record<string, string> = {}) => {
    const start = new URL("/v1/login/start", url);
    start.search = new URLSearchParams({
      redirect_uri: "http://127.0.0.1:9/callback",
      code_challenge: "a".repeat(43),
      state: "s".repeat(20),
      ...extra,
    }).toString();
    return start;
  };
  const whoami = async (session: string) =>
    (await (await fetch(`${url}/v1/whoami`, { headers: bearer(session) })).json()) as Me;
  const credential = (session: string, namespace: string) =>
    fetch(`${url}/v1/credentials`, {
      method: "POST",
      headers: bearer(session),
      body: JSON.stringify({ cluster: "test", role: "view", namespace }),
    });

  it("the same username at two providers is two people, with groups that stay at their provider", async () => {
    const employee = await whoami(await loginAs(url, "alice", "employees"));
    const partner = await whoami(await loginAs(url, "alice", "partners"));
    assert.equal(employee.principal.name, "alice@example.com");
    assert.equal(employee.principal.idp, "employees");
    assert.equal(partner.principal.name, "partners:alice@example.com");
    assert.equal(partner.principal.subject, "partners:alice");
    assert.equal(partner.principal.idp, "partners");
    assert.deepEqual(partner.principal.groups, [
      "partners:platform-admins",
      "partners:developers",
      "partners:sre",
    ]);
    assert.equal(partner.admin, false, "partners' platform-admins are not the broker's admins");
    const adminSession = await loginAs(url, "admin", "employees");
    assert.equal((await whoami(adminSession)).admin, true, "employees' platform-admins are");

    // The audit trail says who, with the prefix, and which provider vouched for them.
    const audit = await fetch(`${url}/v1/audit?type=lifecycle&since=5m&limit=1000`, {
      headers: bearer(adminSession),
    });
    const records = ((await audit.json()) as { items: { event: string; user: string; detail: string }[] })
      .items;
    const logins = records.filter((r) => r.event === "login" && r.user.endsWith("alice@example.com"));
    assert.deepEqual(
      new Set(logins.map((r) => `${r.user} ${r.detail}`)),
      new Set(["alice@example.com loopback at employees", "partners:alice@example.com loopback at partners"]),
    );
  });

  it("standing rules match names and groups with their provider: one alice's access is not the other's", async () => {
    const employee = await loginAs(url, "alice", "employees");
    const partner = await loginAs(url, "alice", "partners");

    assert.equal((await credential(employee, "payments")).status, 200, "the rule naming alice@example.com");
    const notHers = await credential(partner, "payments");
    assert.equal(notHers.status, 403, "that rule is not partners' alice's");
    assert.match(((await notHers.json()) as { message: string }).message, /partners:alice@example\.com/);

    assert.equal(
      (await credential(partner, "team-a")).status,
      403,
      "partners' developers are not developers",
    );
    const bob = await loginAs(url, "bob", "partners");
    assert.equal((await credential(bob, "team-a")).status, 403);
    assert.equal((await credential(await loginAs(url, "dev", "employees"), "team-a")).status, 200);

    const viaIdp = await credential(partner, "team-b");
    assert.equal(viaIdp.status, 200, "idps: [partners] covers everyone from partners");
    assert.equal((await credential(employee, "team-b")).status, 403, "and nobody else");

    const partnerGrant = ((await viaIdp.json()) as { grant: { id: string; serviceAccount: string } }).grant;
    assert.match(partnerGrant.serviceAccount, /\/kb-partners-alice-/, "the cluster sees which provider");
    const mine = (await (await fetch(`${url}/v1/grants`, { headers: bearer(employee) })).json()) as {
      items: { id: string; principal: string }[];
    };
    assert.ok(mine.items.length > 0);
    assert.ok(!mine.items.some((g) => g.id === partnerGrant.id), "one alice does not see the other's grant");
    const peek = await fetch(`${url}/v1/grants/${partnerGrant.id}`, { headers: bearer(employee) });
    assert.equal(peek.status, 404);
    const revoke = await fetch(`${url}/v1/grants/${partnerGrant.id}`, {
      method: "DELETE",
      headers: bearer(employee),
    });
    assert.equal(revoke.status, 404, "nor revoke it");
  });

  it("approvers are matched with their provider: partners' sre cannot approve what employees' sre may", async () => {
    const created = await fetch(`${url}/v1/requests`, {
      method: "POST",
      headers: bearer(await loginAs(url, "dev", "employees")),
      body: JSON.stringify({
        cluster: "test",
        role: "edit",
        namespace: "team-a",
        duration: "30m",
        reason: "INC-1",
      }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const { id } = (await created.json()) as { id: string };
    const approve = async (session: string) =>
      fetch(`${url}/v1/requests/${id}/approve`, { method: "POST", headers: bearer(session), body: "{}" });
    const byPartner = await approve(await loginAs(url, "alice", "partners"));
    assert.equal(byPartner.status, 404, "partners:sre is not sre: the request is not even theirs to see");
    assert.equal((await approve(await loginAs(url, "approver", "employees"))).status, 200);
  });

  it("a browser login that names no provider gets a page listing them", async () => {
    const start = startUrl();
    const res = await fetch(start, { redirect: "manual" });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'none'/);
    assert.equal(res.headers.get("cache-control"), "no-store");
    const page = await res.text();
    const links = [...page.matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g)].map((m) => [
      new URL(m[1]!.replaceAll("&amp;", "&"), url).searchParams.get("idp"),
      m[2],
    ]);
    assert.deepEqual(links, [
      ["employees", "Example staff"],
      ["partners", "partners"],
      ["down", "down"],
    ]);

    const bad = new URL(start);
    bad.searchParams.set("redirect_uri", "https://evil.example.com/cb");
    assert.equal(
      (await fetch(bad, { redirect: "manual" })).status,
      400,
      "a bad link is refused before the choice",
    );

    const console = await fetch(`${url}/ui/login?return=/ui/grants`, { redirect: "manual" });
    assert.equal(console.status, 200);
    assert.match(await console.text(), /href="\/ui\/login\?return=%2Fui%2Fgrants&amp;idp=partners"/);
  });

  it("a link from the page signs in at that provider", async () => {
    // The CLI's half of a loopback login, with no idp: the broker answers with the page.
    const verifier = randomBytes(32).toString("base64url");
    const state = randomBytes(16).toString("base64url");
    const trip = {
      verifier,
      expectedState: state,
      redirectUri: "http://127.0.0.1:9/callback",
      state,
      error: null,
    };
    const start = startUrl({
      redirect_uri: trip.redirectUri,
      code_challenge: createHash("sha256").update(trip.verifier).digest("base64url"),
      state: trip.expectedState,
    });
    const page = await (await fetch(start)).text();
    const link = /<a href="([^"]+idp=partners)">/.exec(page)?.[1]?.replaceAll("&amp;", "&");
    assert.ok(link, page);
    const landed = await new HeadlessBrowser().visit(new URL(link, url), {
      login: "alice",
      stopAt: (at) => at.href.startsWith(trip.redirectUri),
    });
    assert.equal(landed.url.searchParams.get("state"), trip.expectedState);
    const res = await redeem(url, { ...trip, code: landed.url.searchParams.get("code") });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { principal: { name: string } };
    assert.equal(body.principal.name, "partners:alice@example.com");
  });

  it("a code from one provider cannot finish a login begun at another (IdP mix-up)", async () => {
    const startAt = (idp: string) => startUrl({ idp });
    const callback = `${url}/v1/login/callback`;
    // alice really signs in at employees; the answer is stopped before the broker sees it.
    const employees = await new HeadlessBrowser().visit(startAt("employees"), {
      login: "alice",
      stopAt: (at) => at.href.startsWith(callback),
    });
    assert.ok(employees.url.searchParams.get("code"));
    assert.ok(employees.url.searchParams.get("iss"), "the IdP says who issued the code (RFC 9207)");
    // A login begun at partners is handed employees' code.
    const toPartners = await fetch(startAt("partners"), { redirect: "manual" });
    const partnersState = new URL(toPartners.headers.get("location")!).searchParams.get("state")!;
    const mixed = new URL(employees.url);
    mixed.searchParams.set("state", partnersState);
    const tokenCalls: unknown[] = [];
    const count = (...args: unknown[]) => tokenCalls.push(args);
    partners.provider.on("grant.error", count);
    partners.provider.on("grant.success", count);
    const res = await fetch(mixed, { redirect: "manual" }).finally(() => {
      partners.provider.off("grant.error", count);
      partners.provider.off("grant.success", count);
    });
    assert.equal(res.status, 302);
    const back = new URL(res.headers.get("location")!);
    assert.equal(back.origin, "http://127.0.0.1:9");
    assert.equal(back.searchParams.get("code"), null, "no session comes of it");
    assert.ok(back.searchParams.get("error"));
    assert.deepEqual(tokenCalls, [], "the code was never sent to partners: its iss is employees'");
  });

  it("an unknown provider is refused naming those there are", async () => {
    const res = await fetch(startUrl({ idp: "contractors" }), { redirect: "manual" });
    assert.equal(res.status, 400);
    const status = (await res.json()) as { kind: string; message: string };
    assert.equal(status.kind, "Status");
    assert.equal(
      status.message,
      'no identity provider is named "contractors"; there are: employees, partners, down',
    );
    const device = await fetch(`${url}/v1/login/device`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(device.status, 400);
    assert.match(
      ((await device.json()) as { message: string }).message,
      /choose an identity provider: employees/,
    );
    const listed = (await (await fetch(`${url}/v1/login/providers`)).json()) as {
      providers: { name: string }[];
    };
    assert.deepEqual(
      listed.providers.map((p) => p.name),
      ["employees", "partners", "down"],
    );
  });

  it("an identity provider that is down stops only its own logins", async () => {
    const res = await fetch(startUrl({ idp: "down" }), { redirect: "manual" });
    assert.equal(res.status, 503);
    assert.match(
      ((await res.json()) as { message: string }).message,
      /identity provider "down" .* could not be reached/,
    );
    assert.equal((await whoami(await loginAs(url, "dev", "employees"))).principal.name, "dev@example.com");
    assert.equal(
      (await whoami(await loginAs(url, "bob", "partners"))).principal.name,
      "partners:bob@partner.example",
    );
  });

  it("device flow at a named provider", async () => {
    const started = await fetch(`${url}/v1/login/device`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ idp: "partners" }),
    });
    assert.equal(started.status, 200);
    const device = (await started.json()) as { device_code: string; verification_uri_complete: string };
    assert.ok(device.verification_uri_complete.startsWith(partners.issuer));
    await new HeadlessBrowser().visit(device.verification_uri_complete, { login: "alice" });
    let res: Response | undefined;
    for (let i = 0; i < 20 && (!res || res.status === 202); i++) {
      if (res) await new Promise((r) => setTimeout(r, 500));
      res = await fetch(`${url}/v1/login/device/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ device_code: device.device_code }),
      });
    }
    assert.equal(res?.status, 200);
    assert.equal(
      ((await res!.json()) as { principal: { name: string } }).principal.name,
      "partners:alice@example.com",
    );
  });

  // Last: it restarts the broker without partners, then with employees prefixed.
  it("a session from a provider no longer configured, or given a prefix since, stops working, saying why", async () => {
    const partner = await loginAs(url, "alice", "partners");
    const employee = await loginAs(url, "alice", "employees");
    stack.config.oidc.splice(1, 1);
    await stack.restartBroker();
    const res = await fetch(`${url}/v1/whoami`, { headers: bearer(partner) });
    assert.equal(res.status, 401);
    assert.equal(
      ((await res.json()) as { message: string }).message,
      'you signed in with identity provider "partners", which this broker no longer accepts; run kubectl broker login',
    );
    assert.equal((await fetch(`${url}/v1/whoami`, { headers: bearer(partner) })).status, 401);
    assert.equal((await fetch(`${url}/v1/whoami`, { headers: bearer(employee) })).status, 200);

    // Given a prefix since, employees' names sign-ins made without it could be someone else's.
    Object.assign(stack.config.oidc[0]!, { usernamePrefix: "staff:", groupsPrefix: "staff:" });
    await stack.restartBroker();
    const changed = await fetch(`${url}/v1/whoami`, { headers: bearer(employee) });
    assert.equal(changed.status, 401);
    assert.equal(
      ((await changed.json()) as { message: string }).message,
      'identity provider "employees" you signed in with has changed at this broker; run kubectl broker login',
    );
    const again = await whoami(await loginAs(url, "alice", "employees"));
    assert.equal(again.principal.name, "staff:alice@example.com");
  });
});
