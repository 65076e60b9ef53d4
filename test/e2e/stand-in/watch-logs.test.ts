import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { kubeStream, LineReader } from "../../../tools/stand-in/client.ts";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import { ensureNamespace, pod } from "./fixtures.ts";

interface Event {
  type: string;
  object: { metadata: { name: string; resourceVersion: string; labels?: Record<string, string> } };
}

describe("stand-in watch and logs", () => {
  let standIn: StandIn;
  const open = async (path: string) => {
    const res = await kubeStream(standIn, path, { token: standIn.adminToken });
    assert.equal(res.statusCode, 200);
    return new LineReader(res);
  };
  const nextEvent = async (reader: LineReader) => JSON.parse(await reader.next()) as Event;

  before(async () => {
    standIn = await startStandIn();
    ensureNamespace(standIn, "w");
  });
  after(() => standIn.close());

  it("sends existing objects as ADDED, then each change as it happens, one JSON event per line", async () => {
    standIn.store.create({ kind: "ConfigMap", metadata: { name: "first", namespace: "w" } });
    const reader = await open("/api/v1/namespaces/w/configmaps?watch=true");
    try {
      assert.equal(reader.response.headers["transfer-encoding"], "chunked");
      const added = await nextEvent(reader);
      assert.deepEqual([added.type, added.object.metadata.name], ["ADDED", "first"]);
      standIn.store.create({ kind: "ConfigMap", metadata: { name: "second", namespace: "w" } });
      assert.deepEqual((await nextEvent(reader)).type, "ADDED");
      const current = standIn.store.get("configmaps", { namespace: "w", name: "second" });
      standIn.store.update({ ...current, data: { a: "b" } });
      assert.equal((await nextEvent(reader)).type, "MODIFIED");
      standIn.store.delete("configmaps", { namespace: "w", name: "second" });
      const deleted = await nextEvent(reader);
      assert.deepEqual([deleted.type, deleted.object.metadata.name], ["DELETED", "second"]);
    } finally {
      reader.close();
    }
  });

  it("replays what happened after a resourceVersion, as kubectl get -w expects after its list", async () => {
    const rv = standIn.store.revision;
    standIn.store.create({ kind: "ConfigMap", metadata: { name: "after", namespace: "w" } });
    const reader = await open(`/api/v1/namespaces/w/configmaps?watch=1&resourceVersion=${rv}`);
    try {
      const event = await nextEvent(reader);
      assert.deepEqual([event.type, event.object.metadata.name], ["ADDED", "after"]);
      assert.ok(Number(event.object.metadata.resourceVersion) > rv);
    } finally {
      reader.close();
    }
  });

  it("turns label changes into ADDED and DELETED for a selector watch, and serves the /watch/ path form", async () => {
    const reader = await open(
      `/api/v1/watch/namespaces/w/configmaps?labelSelector=tier%3Dfront&resourceVersion=${standIn.store.revision}`,
    );
    try {
      const cm = standIn.store.create({ kind: "ConfigMap", metadata: { name: "moving", namespace: "w" } });
      const labelled = standIn.store.update({
        ...cm,
        metadata: { ...cm.metadata, labels: { tier: "front" } },
      });
      assert.equal((await nextEvent(reader)).type, "ADDED");
      standIn.store.update({ ...labelled, metadata: { ...labelled.metadata, labels: { tier: "back" } } });
      const left = await nextEvent(reader);
      assert.deepEqual([left.type, left.object.metadata.labels], ["DELETED", { tier: "front" }]);
    } finally {
      reader.close();
    }
  });

  it("ends a watch after timeoutSeconds", async () => {
    const reader = await open("/api/v1/namespaces/w/pods?watch=true&timeoutSeconds=1");
    await reader.end(3000);
  });

  it("streams pod logs with follow=true until the pod is deleted", async () => {
    standIn.store.create(pod("w", "talker"));
    standIn.appendPodLog("w", "talker", "line one");
    const reader = await open("/api/v1/namespaces/w/pods/talker/log?follow=true");
    assert.equal(await reader.next(), "line one");
    standIn.appendPodLog("w", "talker", "line two");
    assert.equal(await reader.next(), "line two");
    standIn.store.delete("pods", { namespace: "w", name: "talker" });
    await reader.end();
  });

  it("serves logs without follow, with tailLines and timestamps", async () => {
    standIn.store.create(pod("w", "quiet"));
    for (const line of ["a", "b", "c"]) standIn.appendPodLog("w", "quiet", line);
    const reader = await open("/api/v1/namespaces/w/pods/quiet/log?tailLines=2&timestamps=true");
    assert.match(await reader.next(), /^\d{4}-\d\d-\d\dT[\d:.]{18}Z b$/);
    assert.match(await reader.next(), / c$/);
    await reader.end();
  });
});
