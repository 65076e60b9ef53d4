import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError, createApi, loginUrl, statusError } from "../../../src/console/ui/api.ts";

interface Call {
  path: string;
  init: RequestInit;
}

function fakeFetch(respond: (call: Call) => Response) {
  const calls: Call[] = [];
  const fetch = (async (path: string, init: RequestInit) => {
    const call = { path, init };
    calls.push(call);
    return respond(call);
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

function api(respond: (call: Call) => Response, csrf: string | undefined = "csrf-1") {
  const { fetch, calls } = fakeFetch(respond);
  let unauthorized = 0;
  const client = createApi({ fetch, csrfToken: () => csrf, onUnauthorized: () => unauthorized++ });
  return { client, calls, unauthorized: () => unauthorized };
}

describe("console api: Status errors", () => {
  it("reads code, reason, message and each cause's field and message", () => {
    const error = statusError(422, "Unprocessable Entity", {
      kind: "Status",
      code: 422,
      reason: "Invalid",
      message: "duration: expected a duration such as 30m or 2h; reason: Too big",
      details: {
        causes: [
          {
            field: "duration",
            message: "expected a duration such as 30m or 2h",
            reason: "FieldValueInvalid",
          },
          { field: "reason", message: "Too big", reason: "FieldValueInvalid" },
        ],
      },
    });
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, 422);
    assert.equal(error.reason, "Invalid");
    assert.equal(error.message, "duration: expected a duration such as 30m or 2h; reason: Too big");
    assert.deepEqual(error.causes, [
      { field: "duration", message: "expected a duration such as 30m or 2h" },
      { field: "reason", message: "Too big" },
    ]);
  });

  it("falls back to the HTTP status when something else answered", () => {
    const error = statusError(502, "Bad Gateway", undefined);
    assert.equal(error.code, 502);
    assert.equal(error.message, "the broker answered 502 Bad Gateway");
    assert.deepEqual(error.causes, []);
  });

  it("ignores causes that are not objects or have no message", () => {
    const error = statusError(422, "", { message: "bad", details: { causes: ["x", { field: "a" }, null] } });
    assert.deepEqual(error.causes, []);
    assert.equal(error.message, "bad");
  });
});

describe("console api: calls", () => {
  it("a GET sends no CSRF token and no body, and returns the JSON", async () => {
    const { client, calls } = api(() => json(200, { items: [1] }));
    assert.deepEqual(await client.get("/v1/grants"), { items: [1] });
    const [call] = calls;
    assert.equal(call!.init.method, "GET");
    assert.equal(call!.init.body, undefined);
    const headers = call!.init.headers as Record<string, string>;
    assert.equal(headers["X-CSRF-Token"], undefined);
    assert.equal(call!.init.credentials, "same-origin");
  });

  it("a POST and a DELETE send the CSRF token and JSON", async () => {
    const { client, calls } = api(() => json(200, {}));
    await client.post("/v1/requests/r1/approve", { comment: "ok" });
    await client.delete("/v1/grants/g1");
    for (const call of calls) {
      const headers = call.init.headers as Record<string, string>;
      assert.equal(headers["X-CSRF-Token"], "csrf-1");
      assert.equal(headers["Content-Type"], "application/json");
    }
    assert.equal(calls[0]!.init.body, JSON.stringify({ comment: "ok" }));
    assert.equal(calls[1]!.init.method, "DELETE");
  });

  it("a 204 answers undefined", async () => {
    const { client } = api(() => new Response(null, { status: 204 }));
    assert.equal(await client.post("/v1/logout"), undefined);
  });

  it("a refusal throws its Status", async () => {
    const { client } = api(() =>
      json(403, {
        kind: "Status",
        code: 403,
        reason: "Forbidden",
        message: "you may not approve your own request",
      }),
    );
    await assert.rejects(client.post("/v1/requests/r1/approve", {}), (err: ApiError) => {
      assert.equal(err.code, 403);
      assert.equal(err.message, "you may not approve your own request");
      return true;
    });
  });

  it("a 401 sends the browser to sign in, and still rejects", async () => {
    const { client, unauthorized } = api(() =>
      json(401, { code: 401, reason: "Unauthorized", message: "no session" }),
    );
    await assert.rejects(client.get("/v1/whoami"), (err: ApiError) => err.code === 401);
    assert.equal(unauthorized(), 1);
  });

  it("getText returns a file's text as it is, and a refusal still as its Status", async () => {
    const cast = '{"version": 2, "width": 80, "height": 24}\n[0.5, "o", "hi\\r\\n"]\n';
    const { client, calls } = api((call) =>
      call.path.endsWith("/missing/cast")
        ? json(404, { kind: "Status", code: 404, reason: "NotFound", message: "no recording missing: …" })
        : new Response(cast, { status: 200, headers: { "content-type": "application/x-asciicast" } }),
    );
    assert.equal(await client.getText("/v1/recordings/r1/cast"), cast);
    assert.equal(calls[0]!.init.method, "GET");
    assert.equal(new Headers(calls[0]!.init.headers).get("x-csrf-token"), null);
    await assert.rejects(client.getText("/v1/recordings/missing/cast"), (err: ApiError) => {
      assert.equal(err.code, 404);
      assert.equal(err.message, "no recording missing: …");
      return true;
    });
  });

  it("an unreachable broker is an ApiError, not a TypeError", async () => {
    const { client } = api(() => {
      throw new TypeError("fetch failed");
    });
    await assert.rejects(
      client.get("/v1/whoami"),
      (err: ApiError) => err instanceof ApiError && err.code === 0,
    );
  });
});

describe("console api: loginUrl", () => {
  it("carries the path and query back, encoded", () => {
    assert.equal(
      loginUrl("/ui/requests/abc?x=1&y=2"),
      "/ui/login?return=%2Fui%2Frequests%2Fabc%3Fx%3D1%26y%3D2",
    );
  });
});
