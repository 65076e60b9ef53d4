import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ReviewReport, reviewReportView } from "../../../src/cli/output/review-view.ts";

const NOW = Date.parse("2026-11-29T12:00:00Z");

function review(principals: { user: string; lastUsed: string | null; unused: boolean }[]): ReviewReport {
  return {
    kind: "ReviewReport",
    generatedAt: "2026-11-29T12:00:00.000Z",
    window: { since: 86400, from: "2026-11-28T12:00:00.000Z", to: "2026-11-29T12:00:00.000Z" },
    cluster: null,
    unusedFor: 3600,
    olderThan: 3600,
    coverage: "",
    summary: {
      principals: principals.length,
      unused: principals.filter((p) => p.unused).length,
      openGrants: 0,
      privilegedGrants: 0,
    },
    standingRules: principals.length
      ? [
          {
            index: 0,
            subjects: { users: [], groups: ["developers"] },
            clusters: ["*"],
            roles: ["view"],
            namespaces: ["team-*"],
            principals,
          },
        ]
      : [],
    openGrants: [],
    privilegedGrants: [],
  } as unknown as ReviewReport;
}

describe("report review as a table", () => {
  it("shows standing access that was used, not 'nothing to review'", () => {
    const view = reviewReportView(
      review([{ user: "dev@example.com", lastUsed: "2026-11-29T11:00:00.000Z", unused: false }]),
      NOW,
    );
    assert.equal(view.empty, undefined);
    assert.match(view.text(false), /dev@example\.com +view +\* +1h ago +no/);
  });

  it("lists break-glass grants in a section of their own, counted in the header", () => {
    const report = {
      ...review([]),
      breakGlassGrants: [
        {
          id: "g9",
          user: "oncall@example.com",
          cluster: "prod",
          role: "edit",
          origin: "break-glass",
          namespaces: ["payments"],
          startedAt: "2026-11-29T10:00:00.000Z",
        },
      ],
    } as ReviewReport;
    const view = reviewReportView(report, NOW);
    const text = view.text(false);
    assert.match(text, /, 1 BREAK-GLASS grants\n/);
    assert.match(
      text,
      /BREAK-GLASS grants in the window \(taken with no approver\):\n.*\ng9 +oncall@example\.com +prod +edit +break-glass +payments +2h ago/,
    );
    assert.deepEqual(view.names, ["grant/g9"]);
  });

  it("says there is nothing to review only when every section is empty", () => {
    assert.match(reviewReportView(review([]), NOW).empty ?? "", /No standing rules/);
  });
});
