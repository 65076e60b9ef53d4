import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PE_MACHINE_X64, readPeHeader, withoutAuthenticode } from "../../../scripts/authenticode.ts";

/** The smallest PE32+ header these read, with a body and a certificate table of `tableSize` at the end. */
function peFile(tableSize: number): Buffer {
  const optional = 0x40 + 4 + 20;
  const entry = optional + 112 + 4 * 8;
  const body = 400;
  const file = Buffer.alloc(body + tableSize, 0xaa);
  file.fill(0, 0, optional + 112 + 16 * 8);
  file.write("MZ", 0, "latin1");
  file.writeUInt32LE(0x40, 0x3c);
  file.write("PE\0\0", 0x40, "latin1");
  file.writeUInt16LE(PE_MACHINE_X64, 0x44);
  file.writeUInt16LE(0x20b, optional);
  file.writeUInt32LE(0x1234, optional + 64);
  file.writeUInt32LE(16, optional + 108);
  if (tableSize > 0) {
    file.writeUInt32LE(body, entry);
    file.writeUInt32LE(tableSize, entry + 4);
  }
  return file;
}

describe("taking a Windows executable's Authenticode signature off", () => {
  it("cuts the certificate table from the end and clears its entry and the checksum", () => {
    const signed = peFile(16);
    assert.deepEqual(readPeHeader(signed).certificates, { offset: 400, size: 16 });
    const unsigned = withoutAuthenticode(signed);
    assert.equal(unsigned.length, 400);
    const header = readPeHeader(unsigned);
    assert.equal(header.machine, PE_MACHINE_X64);
    assert.deepEqual(header.certificates, { offset: 0, size: 0 });
    assert.equal(unsigned.readUInt32LE(header.checksumField), 0);
    // Nothing else changed.
    const expected = Buffer.from(signed.subarray(0, 400));
    expected.writeUInt32LE(0, header.checksumField);
    expected.fill(0, header.certificateEntry, header.certificateEntry + 8);
    assert.ok(unsigned.equals(expected));
  });

  it("leaves an unsigned file as it is", () => {
    const unsigned = peFile(0);
    assert.equal(withoutAuthenticode(unsigned), unsigned);
  });

  it("refuses what it does not understand: not a PE, or a table with data after it", () => {
    assert.throws(() => withoutAuthenticode(Buffer.from("#!/bin/sh\n".padEnd(128))), /no MZ header/);
    const trailing = Buffer.concat([peFile(16), Buffer.alloc(64)]);
    assert.throws(() => withoutAuthenticode(trailing), /not at the end of the file/);
  });
});
