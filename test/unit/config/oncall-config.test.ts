import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configProblems, testConfig } from "../../support/fakes/test-config.ts";

const rule = (onCall: unknown) => ({
  subjects: { groups: ["developers"] },
  roles: ["edit"],
  namespaces: ["team-*"],
  approvers: { groups: ["sre"] },
  onCall,
});

/** On-call schedules in the config, and the request rules that name them. */
describe("on-call config", () => {
  it("takes a feed with its defaults: 5m refresh, attendee then summary", () => {
    const config = testConfig({
      onCall: { schedules: [{ name: "sre-primary", urlEnv: "SRE_FEED_URL" }] },
      policies: { requests: [rule({ schedule: "sre-primary" })] },
    });
    const [schedule] = config.onCall.schedules;
    assert.equal(schedule!.refreshInterval, 300);
    assert.deepEqual(schedule!.person.from, ["attendee", "summary"]);
    assert.deepEqual(config.policies.requests[0]!.onCall, {
      schedule: "sre-primary",
      approve: "alone",
      autoApprove: false,
    });
  });

  it("reads a webcal:// feed address, as on-call tools hand them out, over https", () => {
    const config = testConfig({
      onCall: { schedules: [{ name: "pd", url: "webcal://acme.pagerduty.com/private/abc/feed/P1" }] },
    });
    assert.equal(config.onCall.schedules[0]!.url, "https://acme.pagerduty.com/private/abc/feed/P1");
  });

  it("refuses a rule naming a schedule that is not configured, naming the field", () => {
    assert.deepEqual(
      configProblems(() =>
        testConfig({
          onCall: { schedules: [{ name: "sre-primary", file: "/etc/oncall.ics" }] },
          policies: { requests: [rule({ schedule: "sre-secondary" })] },
        }),
      ),
      [
        'policies.requests.0.onCall.schedule: unknown on-call schedule "sre-secondary" (configured: sre-primary)',
      ],
    );
  });

  it("refuses a schedule with no source or two, a short refresh, and duplicate names", () => {
    assert.deepEqual(
      configProblems(() =>
        testConfig({
          onCall: {
            schedules: [
              { name: "a", url: "https://example.com/a.ics", file: "/a.ics" },
              { name: "b", url: "ftp://example.com/b.ics", refreshInterval: "5s" },
            ],
          },
        }),
      ),
      [
        "onCall.schedules.0: set exactly one of url, urlEnv or file",
        "onCall.schedules.1.url: must be an http(s) URL",
        "onCall.schedules.1.refreshInterval: must be at least 30s",
      ],
    );
    assert.deepEqual(
      configProblems(() =>
        testConfig({
          onCall: {
            schedules: [
              { name: "a", file: "/a" },
              { name: "a", file: "/b" },
            ],
          },
        }),
      ),
      ['onCall.schedules.1.name: duplicate name "a"'],
    );
  });
});
