import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AuditRecord, RequestRecord } from "../../../src/console/ui/audit-types.ts";
import {
  castPath,
  commandOf,
  endingOf,
  lengthOf,
  mayHaveRecording,
  podOf,
  type RecordingMeta,
  readSessionSearch,
  recordingsPath,
  sessionPath,
  sessionQuery,
} from "../../../src/console/ui/recording-types.ts";

const META: RecordingMeta = {
  id: "01JREC",
  user: "dev@example.com",
  grant: "g-1",
  role: "edit",
  cluster: "test",
  namespace: "team-a",
  pod: "web-1",
  command: ["sh", "-c", "ls"],
  subresource: "exec",
  tty: true,
  protocol: "websocket",
  mode: "best-effort",
  startedAt: Date.parse("2026-03-12T14:00:00Z"),
  endedAt: Date.parse("2026-03-12T14:02:05Z"),
  state: "ended",
  bytes: 1234,
  truncated: false,
  lost: false,
  ending: "Success",
};

function request(fields: Partial<RequestRecord>): AuditRecord {
  return {
    type: "request",
    phase: "end",
    id: "01JREQ",
    subresource: "exec",
    decision: "allowed",
    ...fields,
  } as RequestRecord;
}

describe("console session recordings: the search in the URL", () => {
  it("reads the known names, trimmed, and leaves out empty and unknown ones", () => {
    assert.deepEqual(readSessionSearch("?pod=%20web-1%20&q=rm+-rf&since=&verb=get"), {
      pod: "web-1",
      q: "rm -rf",
    });
  });

  it("writes one order whatever the order given, so a search has one URL", () => {
    assert.equal(sessionQuery({ q: "psql", user: "dev", since: "1d" }), "user=dev&since=1d&q=psql");
    assert.equal(sessionQuery({ pod: " ", cluster: "test" }), "cluster=test");
  });

  it("asks the search API when there is text to find, the list otherwise", () => {
    assert.equal(recordingsPath({}), "/v1/recordings");
    assert.equal(recordingsPath({ pod: "web-1" }), "/v1/recordings?pod=web-1");
    assert.equal(recordingsPath({ pod: "web-1", q: "rm -rf" }), "/v1/recordings/search?pod=web-1&q=rm+-rf");
  });

  it("escapes ids in the paths", () => {
    assert.equal(sessionPath("a/b c"), "/ui/sessions/a%2Fb%20c");
    assert.equal(castPath("a/b"), "/v1/recordings/a%2Fb/cast");
  });
});

describe("console session recordings: which audit records link to one", () => {
  it("an exec or attach that the broker let through, at either phase", () => {
    assert.ok(mayHaveRecording(request({})));
    assert.ok(mayHaveRecording(request({ subresource: "attach", phase: "start" })));
    assert.ok(mayHaveRecording(request({ decision: "denied-by-cluster" })));
  });

  it("not one the broker refused, nor another request, nor a lifecycle event", () => {
    assert.ok(!mayHaveRecording(request({ decision: "denied-by-broker" })));
    assert.ok(!mayHaveRecording(request({ subresource: "log" })));
    assert.ok(!mayHaveRecording(request({ subresource: "" })));
    assert.ok(!mayHaveRecording(request({ id: "" })));
    assert.ok(!mayHaveRecording({ type: "lifecycle", id: "x", event: "grant.created" } as AuditRecord));
  });
});

describe("console session recordings: how a session reads", () => {
  it("names the command, the pod and the container", () => {
    assert.equal(commandOf(META), "sh -c ls");
    assert.equal(commandOf({ ...META, subresource: "attach", command: [] }), "attach");
    assert.equal(podOf(META), "test/team-a/web-1");
    assert.equal(podOf({ ...META, container: "app" }), "test/team-a/web-1 (app)");
  });

  it("says how long it lasted, counting on while it is recorded", () => {
    assert.equal(lengthOf(META, 0), "2m5s");
    const live = { ...META, state: "recording" as const, endedAt: undefined };
    assert.equal(lengthOf(live, META.startedAt + 42_000), "42s");
    assert.equal(lengthOf({ ...META, endedAt: META.startedAt + 300 }, 0), "under 1s");
  });

  it("says how it ended and whether the recording is whole", () => {
    assert.equal(endingOf(META), "Success");
    assert.equal(endingOf({ ...META, state: "recording", ending: undefined }), "still recording");
    assert.equal(
      endingOf({ ...META, truncated: true, lost: true, ending: "command terminated with exit code 1" }),
      "command terminated with exit code 1; recording truncated at the size limit; part of the recording was lost",
    );
  });
});
