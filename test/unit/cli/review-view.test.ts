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

  it("says there is nothing to review only when every section is empty", () => {
    assert.match(reviewReportView(review([]), NOW).empty ?? "", /No standing rules/);
  });
});
