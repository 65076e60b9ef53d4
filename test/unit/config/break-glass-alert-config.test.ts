import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configProblems, testConfig } from "../../support/fakes/test-config.ts";

function problems(alerts: unknown): string[] {
  return configProblems(() => testConfig({ alerts }));
}

/** Break-glass always fires a critical alert: check-config keeps its default rule as shipped. */
describe("the break-glass-started alert rule in the config", () => {
  it("may be named in alerts.defaults only to say what it already is", () => {
    assert.deepEqual(
      problems({ defaults: { "break-glass-started": { enabled: true, severity: "critical" } } }),
      [],
    );
  });

  it("refuses switching it off or lowering its severity, naming the field", () => {
    assert.deepEqual(
      problems({ defaults: { "break-glass-started": { enabled: false, severity: "warning" } } }),
      [
        "alerts.defaults.break-glass-started.enabled: break-glass-started cannot be switched off: break-glass access always fires a critical alert",
        "alerts.defaults.break-glass-started.severity: break-glass-started is always critical: break-glass access always fires a critical alert",
      ],
    );
  });

  it("refuses a configured rule of the same name, which would replace it", () => {
    const replacement = {
      name: "break-glass-started",
      severity: "critical",
      description: "mine",
      match: { event: "grant.started", grantKind: "break-glass" },
    };
    assert.deepEqual(problems({ rules: [{ ...replacement, name: "other" }, replacement] }), [
      'alerts.rules.1.name: "break-glass-started" is a default rule that cannot be replaced; give your rule another name',
    ]);
  });
});
