import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeTar, encodeTar, type TarEntry } from "../../../tools/stand-in/exec/tar.ts";

const file = (name: string, data: string | Buffer, mode = 0o644): TarEntry => ({
  name,
  type: "file",
  data: Buffer.from(data),
  mode,
  mtime: 1_700_000_000,
});

/** A header block as another tar writes it: name, size, type, and a valid checksum. */
function foreignHeader(name: string, size: number, type: string): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0);
  block.write("0000644\0", 100);
  block.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
  block.write("14535031000\0", 136);
  block.write("        ", 148);
  block.write(type, 156);
  block.write("ustar\0" + "00", 257);
  block.write(
    `${block
      .reduce((a, b) => a + b, 0)
      .toString(8)
      .padStart(6, "0")}\0 `,
    148,
  );
  return block;
}

const pad = (data: Buffer) => Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);

describe("stand-in tar (ustar)", () => {
  it("round-trips files and directories exactly, in blocks of 512", () => {
    const binary = Buffer.from([...Array(1025).keys()].map((i) => i % 256));
    const entries: TarEntry[] = [
      { name: "etc", type: "dir", data: Buffer.alloc(0), mode: 0o755, mtime: 1_700_000_000 },
      file("etc/hostname", "web-1\n"),
      file("etc/blob", binary, 0o600),
      file("empty", ""),
    ];
    const archive = encodeTar(entries);
    assert.equal(archive.length % 512, 0);
    assert.deepEqual(decodeTar(archive), entries);
  });

  it("writes ustar headers with a valid checksum, root owner and a slash after directory names", () => {
    const archive = encodeTar([{ name: "tmp", type: "dir", data: Buffer.alloc(0), mode: 0o755, mtime: 0 }]);
    const header = archive.subarray(0, 512);
    assert.equal(header.subarray(0, 4).toString(), "tmp/");
    assert.equal(header.subarray(257, 265).toString("latin1"), "ustar\u000000");
    const stored = Number.parseInt(header.subarray(148, 154).toString(), 8);
    const sum = Buffer.concat([
      header.subarray(0, 148),
      Buffer.from("        "),
      header.subarray(156),
    ]).reduce((a, b) => a + b, 0);
    assert.equal(stored, sum);
    assert.equal(header[156], "5".charCodeAt(0));
  });

  it("splits long names into prefix and name, and reads them back whole", () => {
    const name = `${"deep/".repeat(30)}file.txt`;
    assert.ok(name.length > 100);
    assert.deepEqual(
      decodeTar(encodeTar([file(name, "x")])).map((e) => e.name),
      [name],
    );
  });

  it("takes the name from a PAX path record or a GNU long name, and skips links", () => {
    const longName = `${"a".repeat(120)}/b.txt`;
    const pax = Buffer.from(`${`path=${longName}\n`.length + 4} path=${longName}\n`);
    const archive = Buffer.concat([
      foreignHeader("PaxHeaders/b.txt", pax.length, "x"),
      pad(pax),
      foreignHeader("short", 2, "0"),
      pad(Buffer.from("hi")),
      foreignHeader("././@LongLink", 10, "L"),
      pad(Buffer.from("gnu/long\0\0")),
      foreignHeader("gnu/lo", 1, "0"),
      pad(Buffer.from("g")),
      foreignHeader("link", 0, "2"),
      Buffer.alloc(1024),
    ]);
    const entries = decodeTar(archive);
    assert.deepEqual(
      entries.map((e) => [e.name, e.data.toString()]),
      [
        [longName, "hi"],
        ["gnu/long", "g"],
      ],
    );
  });
});
