import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { fileNameOf, replaceFile } from "../../../src/cli/cache/cache-files.ts";
import { SessionStore, sessionExpired } from "../../../src/cli/cache/session-store.ts";
import {
  type CachedToken,
  isFresh,
  REFRESH_MARGIN_MS,
  TokenCache,
} from "../../../src/cli/cache/token-cache.ts";

const dirs: string[] = [];
const freshDir = () => {
  const dir = join(mkdtempSync(join(tmpdir(), "kb-cache-")), "kube-broker");
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(join(dir, ".."), { recursive: true, force: true });
});

const KEY = { server: "https://kb.example", cluster: "prod", role: "view", namespace: "payments" };
const token = (overrides: Partial<CachedToken> = {}): CachedToken => ({
  ...KEY,
  token: "tok",
  expirationTimestamp: "2026-01-01T00:10:00.000Z",
  grantId: "g-1",
  ...overrides,
});

describe("cache file names", () => {
  it("are one to one with the key's parts, and safe as file names", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string(), { minLength: 1, maxLength: 4 }),
        fc.array(fc.string(), { minLength: 1, maxLength: 4 }),
        (a, b) => {
          const [x, y] = [fileNameOf(...a), fileNameOf(...b)];
          if (x.length < 170 && y.length < 170)
            assert.equal(x === y, JSON.stringify(a) === JSON.stringify(b));
          assert.match(x, /^[A-Za-z0-9.+_-]*$/);
          assert.ok(x.length <= 180);
        },
      ),
    );
    assert.equal(
      fileNameOf("https://kb.example:8443", "prod", "view", ""),
      "https_3A_2F_2Fkb.example_3A8443+prod+view+",
    );
    assert.notEqual(fileNameOf("a+b"), fileNameOf("a", "b"));
    assert.notEqual(fileNameOf("a_3A"), fileNameOf("a:"));
  });

  it("stay short for very long keys (cut and hashed)", () => {
    const name = fileNameOf(`https://${"x".repeat(300)}.example`, "prod");
    assert.equal(name.length, 180);
    assert.notEqual(name, fileNameOf(`https://${"x".repeat(300)}.example`, "dev"));
  });
});

describe("replacing a cache file", () => {
  const busyThen = (failures: number, code: string) => {
    let calls = 0;
    const rename = () => {
      calls++;
      if (calls <= failures) throw Object.assign(new Error(`${code}: rename`), { code });
    };
    return { rename, calls: () => calls };
  };

  it("on Windows, tries again while the file is open elsewhere (EPERM, EACCES, EBUSY)", () => {
    for (const code of ["EPERM", "EACCES", "EBUSY"]) {
      const busy = busyThen(3, code);
      replaceFile("a.tmp", "a.json", busy.rename, "win32");
      assert.equal(busy.calls(), 4, code);
    }
  });

  it("on Windows, gives up after about half a second and says why", () => {
    const busy = busyThen(100, "EPERM");
    assert.throws(() => replaceFile("a.tmp", "a.json", busy.rename, "win32"), /EPERM/);
    assert.equal(busy.calls(), 10);
  });

  it("elsewhere, and for any other error, fails at once", () => {
    const linux = busyThen(1, "EPERM");
    assert.throws(() => replaceFile("a.tmp", "a.json", linux.rename, "linux"), /EPERM/);
    assert.equal(linux.calls(), 1);
    const missing = busyThen(1, "ENOENT");
    assert.throws(() => replaceFile("a.tmp", "a.json", missing.rename, "win32"), /ENOENT/);
    assert.equal(missing.calls(), 1);
  });
});

describe("the token cache", () => {
  it("writes 0600 files in a 0700 directory and reads them back", () => {
    const dir = freshDir();
    const cache = new TokenCache(dir);
    cache.write(token());
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(cache.fileOf(KEY)).mode & 0o777, 0o600);
    assert.deepEqual(cache.read(KEY), { token: token() });
    assert.deepEqual(cache.read({ ...KEY, namespace: "" }), {});
  });

  it("reports a damaged file, and a file for another key is a miss", () => {
    const cache = new TokenCache(freshDir());
    cache.write(token());
    writeFileSync(cache.fileOf(KEY), '{"token":');
    assert.deepEqual(cache.read(KEY), { corrupt: true });
    writeFileSync(cache.fileOf(KEY), JSON.stringify({ ...token(), token: 42 }));
    assert.deepEqual(cache.read(KEY), { corrupt: true });
    writeFileSync(cache.fileOf(KEY), JSON.stringify(token({ role: "edit" })));
    assert.deepEqual(cache.read(KEY), {});
  });

  it("calls a token fresh until a minute before it expires", () => {
    const expiry = Date.parse(token().expirationTimestamp);
    assert.equal(isFresh(token(), expiry - REFRESH_MARGIN_MS - 1), true);
    assert.equal(isFresh(token(), expiry - REFRESH_MARGIN_MS), false);
    assert.equal(isFresh(token(), expiry + 1), false);
  });

  it("in a grant's last minute, keeps a token that lasts as long as the grant, until it expires", () => {
    const expiry = Date.parse(token().expirationTimestamp);
    const lastsTheGrant = token({ grantExpiresAt: token().expirationTimestamp });
    assert.equal(isFresh(lastsTheGrant, expiry - 30_000), true, "no fresher token can be had");
    assert.equal(isFresh(lastsTheGrant, expiry), false, "but never past its expiry");
    const grantGoesOn = token({ grantExpiresAt: new Date(expiry + 3600_000).toISOString() });
    assert.equal(isFresh(grantGoesOn, expiry - 30_000), false, "a longer grant gives a fresher token");
  });

  it("records which kubectl processes were served, until the token is replaced", () => {
    const cache = new TokenCache(freshDir());
    cache.write(token());
    assert.equal(cache.servedTo(KEY, 100), "no");
    cache.markServed(KEY, 100, "served");
    cache.markServed(KEY, 200, "served");
    assert.equal(cache.servedTo(KEY, 100), "yes");
    assert.equal(cache.servedTo(KEY, 10), "no");
    cache.write(token({ token: "new" }));
    assert.equal(cache.servedTo(KEY, 100), "no");
    cache.markServed(KEY, 100, "reissued");
    cache.markServed(KEY, 100, "served");
    assert.equal(cache.servedTo(KEY, 100), "reissued", "reissued once, trusted after");
  });

  it("forgets one grant's tokens, or a whole broker's", () => {
    const dir = freshDir();
    const cache = new TokenCache(dir);
    const other = { ...KEY, server: "https://other.example" };
    cache.write(token());
    cache.write(token({ namespace: "web", grantId: "g-2" }));
    cache.write(token({ ...other, grantId: "g-3" }));
    cache.discardGrant("g-2");
    assert.deepEqual(cache.read({ ...KEY, namespace: "web" }), {});
    assert.ok(cache.read(KEY).token);
    cache.discardServer(KEY.server);
    assert.deepEqual(cache.read(KEY), {});
    assert.ok(cache.read(other).token, "another broker's tokens stay");
  });
});

describe("the session store", () => {
  const session = {
    server: KEY.server,
    session: "kbs_secret",
    expiresAt: "2026-01-01T12:00:00.000Z",
    principal: { name: "dev@example.com" },
  };

  it("keeps one session per broker, 0600, and remembers the last broker", () => {
    const store = new SessionStore(freshDir());
    assert.equal(store.lastServer(), undefined);
    store.write(session);
    assert.deepEqual(store.read(KEY.server), { session });
    assert.deepEqual(store.read("https://other.example"), {});
    assert.equal(statSync(store.fileOf(KEY.server)).mode & 0o777, 0o600);
    assert.equal(store.lastServer(), KEY.server);
    writeFileSync(store.fileOf(KEY.server), "garbage");
    assert.deepEqual(store.read(KEY.server), { corrupt: true });
    store.remove(KEY.server);
    assert.deepEqual(store.read(KEY.server), {});
    assert.equal(
      readFileSync(join(store.fileOf(KEY.server), "..", "current-server"), "utf8"),
      `${KEY.server}\n`,
    );
  });

  it("knows when a session has expired", () => {
    assert.equal(sessionExpired(session, Date.parse(session.expiresAt) - 1), false);
    assert.equal(sessionExpired(session, Date.parse(session.expiresAt)), true);
  });
});
