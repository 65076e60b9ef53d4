import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withoutCredentials } from "../../../src/requests/webhook-delivery.ts";

describe("webhook URLs with credentials", () => {
  it("become a URL fetch takes and a basic Authorization header", () => {
    assert.deepEqual(withoutCredentials("https://am:s%40cret@alertmanager.example.com:9093/api/v2/alerts"), {
      url: "https://alertmanager.example.com:9093/api/v2/alerts",
      authorization: { authorization: `Basic ${Buffer.from("am:s@cret").toString("base64")}` },
    });
  });

  it("leave a URL without credentials as it is", () => {
    assert.deepEqual(withoutCredentials("http://127.0.0.1:9093/api/v2/alerts"), {
      url: "http://127.0.0.1:9093/api/v2/alerts",
    });
  });
});
