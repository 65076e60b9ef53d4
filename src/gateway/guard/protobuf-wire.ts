/**
 * The protobuf wire format as the API server's generated (gogo) Go code reads it, including
 * where that differs from a textbook decoder: a varint is at most 10 bytes and keeps its low 64
 * bits, an int32 keeps its low 32, and a field number is the low 32 bits of the key shifted
 * right by 3. A decoder that read `(2^32 + 1) << 3` as field 4294967297 and skipped it would
 * miss what Go reads as field 1.
 */
import { BadRequest } from "../../shared/errors.ts";

export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH_DELIMITED = 2;
export const FIXED32 = 5;

export const malformed = (what: string) => new BadRequest(`the protobuf body is malformed: ${what}`);

export class WireReader {
  readonly #buf: Buffer;
  #pos = 0;

  constructor(buf: Buffer) {
    this.#buf = buf;
  }

  get done(): boolean {
    return this.#pos >= this.#buf.length;
  }

  /**
   * A varint: exact as a number up to 7 bytes (49 bits), a bigint when longer, so the callers
   * below can keep the bits Go keeps without paying for bigints on every field.
   */
  #varint(): number | bigint {
    let small = 0;
    let scale = 1;
    const start = this.#pos;
    for (let i = 0; i < 10; i++) {
      if (this.#pos >= this.#buf.length) throw malformed("a varint runs past the end");
      const byte = this.#buf[this.#pos++]!;
      if (i < 7) {
        small += (byte & 0x7f) * scale;
        scale *= 128;
        if (byte < 0x80) return small;
      } else if (byte < 0x80) {
        let big = 0n;
        for (let j = this.#pos - 1; j >= start; j--) big = (big << 7n) | BigInt(this.#buf[j]! & 0x7f);
        return big;
      }
    }
    throw malformed("a varint is longer than 10 bytes");
  }

  /** A field's key: its number (low 32 bits, signed, as Go's int32) and wire type. */
  key(): { number: number; wire: number } {
    const raw = this.#varint();
    const number =
      typeof raw === "number"
        ? Math.floor(raw / 8) | 0
        : Number(BigInt.asIntN(32, BigInt.asUintN(64, raw) >> 3n));
    const wire = typeof raw === "number" ? raw % 8 : Number(raw & 7n);
    if (number <= 0) throw malformed(`field number ${number} is not a field`);
    return { number, wire };
  }

  int64(): number {
    const raw = this.#varint();
    return typeof raw === "number" ? raw : Number(BigInt.asIntN(64, raw));
  }

  int32(): number {
    const raw = this.#varint();
    return typeof raw === "number" ? raw | 0 : Number(BigInt.asIntN(32, raw));
  }

  bool(): boolean {
    const raw = this.#varint();
    return typeof raw === "number" ? raw !== 0 : BigInt.asUintN(64, raw) !== 0n;
  }

  /** A length-delimited value's bytes (a view, not a copy). */
  bytes(): Buffer {
    const raw = this.#varint();
    const length = typeof raw === "number" ? raw : Number(BigInt.asIntN(64, raw));
    if (length < 0) throw malformed("a length is negative");
    return this.#take(length, "a length runs past the end");
  }

  /** Steps over a field the schema does not know. */
  skip(wire: number): void {
    if (wire === VARINT) this.#varint();
    else if (wire === FIXED64) this.#take(8, "a fixed64 runs past the end");
    else if (wire === LENGTH_DELIMITED) this.bytes();
    else if (wire === FIXED32) this.#take(4, "a fixed32 runs past the end");
    else if (wire === 3 || wire === 4) throw malformed("it holds a group, which no Kubernetes message uses");
    else throw malformed(`wire type ${wire} does not exist`);
  }

  #take(length: number, what: string): Buffer {
    if (length > this.#buf.length - this.#pos) throw malformed(what);
    const out = this.#buf.subarray(this.#pos, this.#pos + length);
    this.#pos += length;
    return out;
  }
}
