import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type AdminKubectl, startAdminKubectl } from "./admin-kubectl.ts";
import { asAdmin, pod } from "./fixtures.ts";

interface EventsV1List {
  apiVersion: string;
  items: { reason: string; note: string; regarding: { kind: string; name: string } }[];
}

describe("events for pod changes, core v1 and events.k8s.io/v1", () => {
  let admin: AdminKubectl;
  before(async () => {
    admin = await startAdminKubectl();
  });
  after(() => admin.close());

  it("kubectl events lists what happened to the demo pods", async () => {
    const result = await admin.run(["events", "-n", "team-a"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n/);
    assert.match(
      result.stdout,
      /Normal\s+Scheduled\s+Pod\/web-1\s+Successfully assigned team-a\/web-1 to stand-in-node/,
    );
    assert.match(result.stdout, /Normal\s+Started\s+Pod\/web-1\s+Started container web\n/);
  });

  it("a deleted pod gets a Killing event, found with --for", async () => {
    admin.standIn.store.create(pod("team-a", "short-lived"));
    assert.equal((await admin.run(["delete", "pod", "-n", "team-a", "short-lived"])).code, 0);
    const result = await admin.run(["events", "-n", "team-a", "--for", "pod/short-lived"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Killing\s+Pod\/short-lived\s+Stopping container main/);
    assert.doesNotMatch(result.stdout, /web-1/);
  });

  it("serves the same events as events.k8s.io/v1, and takes new ones there", async () => {
    const list = (
      await asAdmin(admin.standIn, "/apis/events.k8s.io/v1/namespaces/team-a/events")
    ).json<EventsV1List>();
    assert.equal(list.apiVersion, "events.k8s.io/v1");
    const scheduled = list.items.find((e) => e.reason === "Scheduled" && e.regarding.name === "web-2");
    assert.equal(scheduled?.note, "Successfully assigned team-a/web-2 to stand-in-node");

    const created = await asAdmin(admin.standIn, "/apis/events.k8s.io/v1/namespaces/team-a/events", {
      method: "POST",
      body: {
        apiVersion: "events.k8s.io/v1",
        kind: "Event",
        metadata: { name: "web-1.manual" },
        eventTime: "2026-01-01T00:00:00.000000Z",
        reportingController: "example.com/checker",
        reportingInstance: "checker-1",
        action: "Check",
        reason: "Checked",
        note: "looked at web-1",
        type: "Normal",
        regarding: { kind: "Pod", namespace: "team-a", name: "web-1", apiVersion: "v1" },
      },
    });
    assert.equal(created.status, 201, created.text);
    const result = await admin.run(["events", "-n", "team-a", "--for", "pod/web-1"]);
    assert.match(result.stdout, /Checked\s+Pod\/web-1\s+looked at web-1/);
  });

  it("discovery lists both", async () => {
    const result = await admin.run(["api-resources", "--api-group=events.k8s.io", "-o", "name"]);
    assert.equal(result.stdout, "events.events.k8s.io\n");
    const core = await admin.run(["get", "events", "-n", "team-a", "--field-selector", "reason=Started"]);
    assert.match(core.stdout, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n/);
    assert.match(core.stdout, /Started\s+pod\/web-2\s+Started container web/);
  });
});
