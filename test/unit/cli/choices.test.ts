import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GITLAB_DEFAULT_VARIABLE, idTokenSource } from "../../../src/cli/ci/id-token.ts";
import { browserCommand } from "../../../src/cli/login/browser.ts";

describe("where a CI job's ID token comes from", () => {
  const options = { audience: "kube-broker", tokenVariable: undefined };

  it("detects GitHub Actions and GitLab CI, or takes --provider", () => {
    assert.deepEqual(idTokenSource(undefined, options, { GITHUB_ACTIONS: "true" }), {
      kind: "github",
      audience: "kube-broker",
    });
    assert.deepEqual(idTokenSource(undefined, options, { GITLAB_CI: "true" }), {
      kind: "variable",
      provider: "gitlab",
      variable: GITLAB_DEFAULT_VARIABLE,
    });
    assert.deepEqual(
      idTokenSource("gitlab", { ...options, tokenVariable: "MY_TOKEN" }, { GITHUB_ACTIONS: "true" }),
      {
        kind: "variable",
        provider: "gitlab",
        variable: "MY_TOKEN",
      },
    );
    assert.deepEqual(idTokenSource("env:CI_JWT", options, {}), {
      kind: "variable",
      provider: "env",
      variable: "CI_JWT",
    });
  });

  it("says what to pass when it cannot tell", () => {
    assert.throws(() => idTokenSource(undefined, options, {}), /cannot tell which CI this is/);
    assert.throws(
      () => idTokenSource("circleci", options, {}),
      /--provider must be github, gitlab or env:VARIABLE, not "circleci"/,
    );
    assert.throws(() => idTokenSource("env:", options, {}), /--provider must be/);
  });
});

describe("how a browser is opened", () => {
  const url = "http://127.0.0.1:1/x";

  it("prefers --browser-command, then BROWSER (with %s for the URL)", () => {
    assert.deepEqual(browserCommand("firefox", { BROWSER: "chrome" }, "linux")?.(url), ["firefox", url]);
    assert.deepEqual(browserCommand(undefined, { BROWSER: "w3m:lynx" }, "linux")?.(url), ["w3m", url]);
    const chrome = "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe";
    assert.deepEqual(browserCommand(undefined, { BROWSER: `${chrome};firefox` }, "win32")?.(url), [
      chrome,
      url,
    ]);
    assert.deepEqual(browserCommand("open -a Safari %s", {}, "linux")?.(url), ["open", "-a", "Safari", url]);
  });

  it("uses the platform's opener, and none on a Linux box without a display (device flow)", () => {
    assert.deepEqual(browserCommand(undefined, {}, "darwin")?.(url), ["open", url]);
    assert.deepEqual(browserCommand(undefined, { DISPLAY: ":0" }, "linux")?.(url), ["xdg-open", url]);
    assert.deepEqual(browserCommand(undefined, { WAYLAND_DISPLAY: "wayland-0" }, "linux")?.(url), [
      "xdg-open",
      url,
    ]);
    assert.equal(browserCommand(undefined, {}, "linux"), undefined);
  });
});
