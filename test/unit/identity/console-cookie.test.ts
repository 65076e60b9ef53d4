import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CONSOLE_COOKIE,
  clearedConsoleCookie,
  consoleCookie,
  readCookie,
} from "../../../src/identity/console-cookie.ts";

describe("console cookie", () => {
  it("reads kb_console among other cookies, whatever the spacing", () => {
    assert.equal(readCookie("a=1; kb_console=kbs_abc; b=2", CONSOLE_COOKIE), "kbs_abc");
    assert.equal(readCookie("kb_console=kbs_abc", CONSOLE_COOKIE), "kbs_abc");
    assert.equal(readCookie("a=1;kb_console=kbs_abc;b=2", CONSOLE_COOKIE), "kbs_abc");
    assert.equal(readCookie('kb_console="kbs_abc"', CONSOLE_COOKIE), "kbs_abc", "a quoted value");
  });

  it("keeps '=' inside a value and takes the first of two", () => {
    assert.equal(readCookie("kb_console=a=b", CONSOLE_COOKIE), "a=b");
    assert.equal(readCookie("kb_console=first; kb_console=second", CONSOLE_COOKIE), "first");
  });

  it("finds nothing where the name only looks alike or the value is empty", () => {
    assert.equal(readCookie(undefined, CONSOLE_COOKIE), undefined);
    assert.equal(readCookie("", CONSOLE_COOKIE), undefined);
    assert.equal(readCookie("xkb_console=1; kb_console_old=2", CONSOLE_COOKIE), undefined);
    assert.equal(readCookie("kb_console=", CONSOLE_COOKIE), undefined);
    assert.equal(readCookie("kb_console", CONSOLE_COOKIE), undefined);
  });

  it("is set HttpOnly, SameSite=Lax, Path=/, Secure over https, for whole seconds", () => {
    assert.equal(
      consoleCookie("kbs_abc", 3600.7, true),
      "kb_console=kbs_abc; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax; Secure",
    );
    assert.equal(
      consoleCookie("kbs_abc", 60, false),
      "kb_console=kbs_abc; Max-Age=60; Path=/; HttpOnly; SameSite=Lax",
    );
    assert.match(consoleCookie("kbs_abc", -5, true), /Max-Age=0;/, "never a negative age");
  });

  it("is cleared with an empty value and Max-Age=0", () => {
    assert.equal(
      clearedConsoleCookie(true),
      "kb_console=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure",
    );
  });
});
