import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configProblems, testConfig } from "../../support/fakes/test-config.ts";

function problems(alerts: unknown): string[] {
  return configProblems(() => testConfig({ alerts }));
}

const rule = (fields: Record<string, unknown>) => ({
  name: "r",
  severity: "warning",
  description: "d",
  ...fields,
});

describe("alerts config", () => {
  it("fills defaults and reads one value or a list", () => {
    const config = testConfig({ alerts: { rules: [rule({ match: { verb: "get" } })] } });
    assert.equal(config.alerts.businessHours.timeZone, "UTC");
    assert.deepEqual(config.alerts.sensitiveNamespaces, []);
    assert.deepEqual(config.alerts.rules[0]?.match.verb, ["get"]);
    assert.equal(config.alerts.rules[0]?.enabled, true);
  });

  it("names the field path of each mistake in a rule", () => {
    const found = problems({
      businessHours: { timeZone: "Europe/Atlantis", hours: "7-20" },
      sensitiveNamespaces: ["Prod_*"],
      rules: [
        rule({
          severity: "loud",
          match: {
            user: "",
            sourceIp: ["10.0.0.0/33", "not-an-ip"],
            namespace: ["Bad_NS"],
            event: "grant.maybe",
          },
          threshold: { count: 20, window: "5 minutes", groupBy: "mood" },
          firstSeen: { of: "planet", days: 0 },
          schedule: { timeZone: "Mars/Olympus", outside: "25:00-07:00", weekdays: ["someday"] },
        }),
      ],
    });
    const joined = found.join("\n");
    for (const expected of [
      /^alerts.businessHours.timeZone: unknown time zone/m,
      /^alerts.businessHours.hours: must be "HH:MM-HH:MM"/m,
      /^alerts.sensitiveNamespaces.0: must be a namespace name or a glob/m,
      /^alerts.rules.0.severity: /m,
      /^alerts.rules.0.match.user: an empty glob matches nothing/m,
      /^alerts.rules.0.match.sourceIp.0: must be an IP address or a CIDR block/m,
      /^alerts.rules.0.match.sourceIp.1: must be an IP address or a CIDR block/m,
      /^alerts.rules.0.match.namespace.0: must be a namespace name or a glob/m,
      /^alerts.rules.0.match.event: /m,
      /^alerts.rules.0.threshold.window: expected a duration/m,
      /^alerts.rules.0.threshold.groupBy: /m,
      /^alerts.rules.0.firstSeen.of: /m,
      /^alerts.rules.0.firstSeen.days: /m,
      /^alerts.rules.0.schedule.timeZone: unknown time zone/m,
      /^alerts.rules.0.schedule.outside: must be "HH:MM-HH:MM"/m,
      /^alerts.rules.0.schedule.weekdays.0: /m,
    ]) {
      assert.match(joined, expected);
    }
  });

  it("refuses duplicate rule names and overrides of default rules that do not exist", () => {
    const found = problems({
      defaults: { "secret-reads": { enabled: false }, "secret-read": { enabled: false } },
      rules: [rule({ name: "a" }), rule({ name: "b" }), rule({ name: "a" })],
    });
    assert.deepEqual(found, [
      'alerts.rules.2.name: duplicate name "a"',
      'alerts.defaults.secret-reads: no default rule is named "secret-reads"',
    ]);
  });

  it("accepts IPv6 CIDRs, single addresses, and a span over midnight", () => {
    const ok = problems({
      rules: [
        rule({
          match: { sourceIp: ["2001:db8::/32", "192.0.2.1"] },
          schedule: { timeZone: "Asia/Kolkata", outside: "22:00-06:00", weekdays: ["fri"] },
        }),
      ],
    });
    assert.deepEqual(ok, []);
  });
});
