/**
 * POSIX ustar archives (IEEE 1003.1-2001, "pax interchange format" minus the extended headers
 * we do not need): what `kubectl cp` reads from `tar cf -` and writes to `tar -xmf -`. Go's
 * archive/tar (kubectl's side) writes plain ustar for short names and falls back to a PAX
 * `path` record or a GNU long name for longer ones, so the reader honours both.
 */

export interface TarEntry {
  /** Relative path; directories end without a slash here (the archive adds it). */
  name: string;
  type: "file" | "dir";
  data: Buffer;
  mode: number;
  /** Seconds since the epoch. */
  mtime: number;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

/** ustar splits a long name at a slash into prefix (155) and name (100). */
function splitName(name: string): [prefix: string, name: string] {
  if (Buffer.byteLength(name) <= 100) return ["", name];
  const cut = name.lastIndexOf("/", 155);
  if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) {
    throw new Error(`tar: ${name}: file name is too long (max 255)`);
  }
  return [name.slice(0, cut), name.slice(cut + 1)];
}

function header(entry: TarEntry): Buffer {
  const block = Buffer.alloc(BLOCK);
  const [prefix, name] = splitName(entry.type === "dir" ? `${entry.name}/` : entry.name);
  block.write(name, 0, 100);
  block.write(octal(entry.mode & 0o7777, 8), 100);
  block.write(octal(0, 8), 108); // uid: root
  block.write(octal(0, 8), 116); // gid: root
  block.write(octal(entry.type === "file" ? entry.data.length : 0, 12), 124);
  block.write(octal(Math.floor(entry.mtime), 12), 136);
  block.write(" ".repeat(8), 148); // the checksum counts its own field as spaces
  block.write(entry.type === "dir" ? "5" : "0", 156);
  block.write("ustar\0", 257);
  block.write("00", 263);
  block.write("root", 265);
  block.write("root", 297);
  block.write(prefix, 345, 155);
  const sum = block.reduce((total, byte) => total + byte, 0);
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return block;
}

const padding = (size: number) => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

export function encodeTar(entries: TarEntry[]): Buffer {
  const parts = entries.flatMap((e) =>
    e.type === "file" ? [header(e), e.data, padding(e.data.length)] : [header(e)],
  );
  return Buffer.concat([...parts, Buffer.alloc(2 * BLOCK)]);
}

const text = (block: Buffer, start: number, length: number) =>
  block
    .subarray(start, start + length)
    .toString("utf8")
    .replace(/\0.*$/s, "");
const number = (block: Buffer, start: number, length: number) =>
  Number.parseInt(text(block, start, length).trim() || "0", 8);

/** PAX records: "LEN key=value\n"; only `path` matters here. */
function paxPath(data: Buffer): string | undefined {
  return /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString("utf8"))?.[1];
}

/** Regular files and directories, in archive order; other entry types (links, devices) are skipped. */
export function decodeTar(archive: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let longName: string | undefined;
  for (let offset = 0; offset + BLOCK <= archive.length; ) {
    const block = archive.subarray(offset, offset + BLOCK);
    if (block.every((byte) => byte === 0)) break;
    const size = number(block, 124, 12);
    const data = Buffer.from(archive.subarray(offset + BLOCK, offset + BLOCK + size));
    offset += BLOCK + size + padding(size).length;
    const type = String.fromCharCode(block[156]!);
    if (type === "x") longName = paxPath(data) ?? longName;
    else if (type === "L") longName = data.toString("utf8").replace(/\0.*$/s, "");
    if (type === "x" || type === "L" || type === "g") continue;
    const prefix = text(block, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${text(block, 0, 100)}` : text(block, 0, 100));
    longName = undefined;
    const isDir = type === "5" || (name.endsWith("/") && type !== "0");
    if (!isDir && type !== "0" && type !== "\0") continue;
    entries.push({
      name: name.replace(/\/+$/, ""),
      type: isDir ? "dir" : "file",
      data: isDir ? Buffer.alloc(0) : data,
      mode: number(block, 100, 8),
      mtime: number(block, 136, 12),
    });
  }
  return entries;
}
