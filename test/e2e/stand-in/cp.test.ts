import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type AdminKubectl, startAdminKubectl } from "./admin-kubectl.ts";

describe("kubectl cp through the stand-in's tar", () => {
  let admin: AdminKubectl;
  let local: string;
  before(async () => {
    admin = await startAdminKubectl();
    local = join(admin.kubectl.dir, "files");
    await mkdir(local);
  });
  after(() => admin.close());

  it("copies a file out of a pod", async () => {
    const target = join(local, "hostname");
    const result = await admin.run(["cp", "team-a/web-1:/etc/hostname", target]);
    assert.equal(result.code, 0, result.stderr);
    // GNU tar's note, which kubectl passes to its stdout.
    assert.match(result.stdout, /Removing leading `\/' from member names/);
    assert.equal(await readFile(target, "utf8"), "web-1\n");
  });

  it("copies a file into a pod byte for byte, readable with exec cat", async () => {
    const content = Buffer.from([...Array(1500).keys()].map((i) => (i * 7) % 256));
    await writeFile(join(local, "blob.bin"), content);
    const into = await admin.run(["cp", join(local, "blob.bin"), "team-a/web-2:/tmp/"]);
    assert.equal(into.code, 0, into.stderr);
    const back = join(local, "back.bin");
    const out = await admin.run(["cp", "team-a/web-2:/tmp/blob.bin", back]);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(await readFile(back), content);

    await writeFile(join(local, "note.txt"), "copied in\nsecond line\n");
    assert.equal((await admin.run(["cp", join(local, "note.txt"), "team-a/web-2:/tmp/renamed.txt"])).code, 0);
    const cat = await admin.run(["exec", "-n", "team-a", "web-2", "--", "cat", "/tmp/renamed.txt"]);
    assert.equal(cat.stdout, "copied in\nsecond line\n");
  });

  it("copies directories both ways", async () => {
    await mkdir(join(local, "dir/sub"), { recursive: true });
    await writeFile(join(local, "dir/a.txt"), "a\n");
    await writeFile(join(local, "dir/sub/b.txt"), "b\n");
    assert.equal((await admin.run(["cp", join(local, "dir"), "team-a/web-1:/tmp/dir"])).code, 0);
    const out = await admin.run(["cp", "team-a/web-1:/tmp/dir", join(local, "dir-back")]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(await readFile(join(local, "dir-back/sub/b.txt"), "utf8"), "b\n");
    assert.equal(await readFile(join(local, "dir-back/a.txt"), "utf8"), "a\n");
  });

  it("says so when the pod has no such file", async () => {
    const result = await admin.run(["exec", "-n", "team-a", "web-1", "--", "cat", "/nope"]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /cat: \/nope: No such file or directory/);
  });
});
