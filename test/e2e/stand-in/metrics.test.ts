import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type AdminKubectl, startAdminKubectl } from "./admin-kubectl.ts";
import { asAdmin } from "./fixtures.ts";

describe("kubectl top against the stand-in's metrics.k8s.io", () => {
  let admin: AdminKubectl;
  before(async () => {
    admin = await startAdminKubectl();
  });
  after(() => admin.close());

  it("top pods prints each pod's CPU and memory, the same every time", async () => {
    const result = await admin.run(["top", "pods", "-n", "team-a"]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((l) => l.trimEnd());
    assert.match(lines[0]!, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)$/);
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(/\s+/)[0]),
      ["web-1", "web-2", "worker-1"],
    );
    for (const line of lines.slice(1)) assert.match(line, /^\S+\s+\d+m\s+\d+Mi$/);
    assert.equal((await admin.run(["top", "pods", "-n", "team-a"])).stdout, result.stdout);
    const selected = await admin.run(["top", "pods", "-n", "team-a", "-l", "app=worker", "--containers"]);
    assert.match(
      selected.stdout,
      /^POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\nworker-1\s+worker\s+\d+m\s+\d+Mi/,
    );
  });

  it("top nodes prints usage and its share of what the node can allocate", async () => {
    const result = await admin.run(["top", "nodes"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)\s*\n/);
    assert.match(result.stdout, /\nstand-in-node\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/);
  });

  it("serves PodMetrics by name and 404 for a missing pod", async () => {
    const one = await asAdmin(admin.standIn, "/apis/metrics.k8s.io/v1beta1/namespaces/team-a/pods/web-1");
    const metrics = one.json<{
      kind: string;
      window: string;
      containers: { name: string; usage: { cpu: string } }[];
    }>();
    assert.equal(metrics.kind, "PodMetrics");
    assert.equal(metrics.containers[0]?.name, "web");
    assert.match(metrics.containers[0]!.usage.cpu, /^\d+n$/);
    const missing = await asAdmin(admin.standIn, "/apis/metrics.k8s.io/v1beta1/namespaces/team-a/pods/nope");
    assert.equal(missing.status, 404);
  });
});
