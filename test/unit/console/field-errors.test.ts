import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError } from "../../../src/console/ui/api.ts";
import { formErrors } from "../../../src/console/ui/field-errors.ts";

const FIELDS = ["cluster", "role", "namespaces", "duration", "reason"];

describe("formErrors", () => {
  it("puts each cause beside the field its path starts with", () => {
    const error = new ApiError({
      code: 422,
      reason: "Invalid",
      message: "…",
      causes: [
        { field: "namespaces.0", message: "Too big" },
        { field: "duration", message: "expected a duration such as 30m or 2h" },
        { field: "(body)", message: "give namespace or namespaces, not both" },
      ],
    });
    assert.deepEqual(formErrors(error, FIELDS), {
      fields: { namespaces: ["Too big"], duration: ["expected a duration such as 30m or 2h"] },
      general: ["(body): give namespace or namespaces, not both"],
    });
  });

  it("puts a message without causes beside the one field it names", () => {
    const reason = new ApiError({
      code: 422,
      reason: "Invalid",
      message: "a reason is required for this request (for example a ticket or incident id): use --reason",
    });
    assert.deepEqual(formErrors(reason, FIELDS).fields.reason, [reason.message]);
    const duration = new ApiError({
      code: 422,
      reason: "Invalid",
      message: "the duration 3h exceeds the maximum of 2h for this request",
    });
    assert.deepEqual(formErrors(duration, FIELDS), { fields: { duration: [duration.message] }, general: [] });
  });

  it("keeps a message that names several fields, or none, above the form", () => {
    const policy = new ApiError({
      code: 403,
      reason: "Forbidden",
      message: 'no rule lets dev request role "admin" on cluster "prod" in namespace "kube-system"',
    });
    assert.deepEqual(formErrors(policy, FIELDS), { fields: {}, general: [policy.message] });
    const limited = new ApiError({ code: 429, reason: "TooManyRequests", message: "slow down" });
    assert.deepEqual(formErrors(limited, FIELDS), { fields: {}, general: ["slow down"] });
  });
});
