/**
 * A Windows executable's Authenticode signature taken off, as `signtool remove /s` does (Node's
 * single executable documentation lists that step for Windows): scripts/build-sea.ts takes it
 * off Node's signed node.exe before injecting the CLI. Left on, it would no longer match the
 * file, and postject rewrites the sections it lies after, leaving the header pointing at zeros:
 * a signature that is there and broken, where an unsigned file is plainly unsigned.
 *
 * The format (Microsoft's PE format specification): the DOS header's e_lfanew (offset 0x3c)
 * points at "PE\0\0"; the COFF header (20 bytes) follows, then the optional header, whose data
 * directory 4, the certificate table, gives a file offset and a size (not an address: it is not
 * loaded), and whose table sits at the file's end.
 */

/** IMAGE_FILE_MACHINE_AMD64. */
export const PE_MACHINE_X64 = 0x8664;
const PE32_PLUS = 0x20b;
const CERTIFICATE_TABLE = 4;

export interface PeHeader {
  /** The COFF header's Machine. */
  machine: number;
  /** Where the certificate table's directory entry is (file offset), and what it says. */
  certificateEntry: number;
  certificates: { offset: number; size: number };
  /** The optional header's CheckSum field (file offset). */
  checksumField: number;
}

export function readPeHeader(file: Buffer): PeHeader {
  if (file.toString("latin1", 0, 2) !== "MZ") throw new Error("not a PE file: no MZ header");
  const pe = file.readUInt32LE(0x3c);
  if (file.toString("latin1", pe, pe + 4) !== "PE\0\0") throw new Error("not a PE file: no PE signature");
  const optional = pe + 4 + 20;
  const plus = file.readUInt16LE(optional) === PE32_PLUS;
  const directoryCount = file.readUInt32LE(optional + (plus ? 108 : 92));
  if (directoryCount <= CERTIFICATE_TABLE) throw new Error("PE file without a certificate table entry");
  const certificateEntry = optional + (plus ? 112 : 96) + CERTIFICATE_TABLE * 8;
  return {
    machine: file.readUInt16LE(pe + 4),
    certificateEntry,
    certificates: {
      offset: file.readUInt32LE(certificateEntry),
      size: file.readUInt32LE(certificateEntry + 4),
    },
    checksumField: optional + 64,
  };
}

/** The file without its certificate table, or the file itself when it has none. */
export function withoutAuthenticode(file: Buffer): Buffer {
  const header = readPeHeader(file);
  const { offset, size } = header.certificates;
  if (size === 0) return file;
  // The table is 8-byte aligned and last; anything after it is not something this understands.
  if (offset + size > file.length || file.length - (offset + size) >= 8) {
    throw new Error("PE certificate table is not at the end of the file");
  }
  const unsigned = Buffer.from(file.subarray(0, offset));
  unsigned.writeUInt32LE(0, header.certificateEntry);
  unsigned.writeUInt32LE(0, header.certificateEntry + 4);
  // The checksum covered the table; 0 is "not computed", which Windows checks only for drivers.
  unsigned.writeUInt32LE(0, header.checksumField);
  return unsigned;
}
