export interface TypedLinesOptions {
  /** Lines kept; later ones are dropped (and `truncated` says so). */
  maxLines: number;
  /** Bytes kept of one line; what is typed past them is dropped. */
  maxLineLength: number;
}

/** Where the reader is in an escape sequence the terminal sent. */
const TEXT = 0;
const ESCAPE = 1; // after ESC
const CSI = 2; // ESC [ … final byte: arrow keys, bracketed paste marks, reports
const SS3 = 3; // ESC O x: arrow and function keys in application mode
const NF = 4; // ESC, intermediates, then a final byte: charset selection
const STRING = 5; // ESC ] (OSC), P (DCS), X, ^, _ … ended by BEL or ESC \

const BEL = 0x07;
const BACKSPACE = 0x08;
const CR = 0x0d;
const LF = 0x0a;
const CTRL_C = 0x03;
const CTRL_U = 0x15;
const CTRL_W = 0x17;
const ESC = 0x1b;
const DEL = 0x7f;

/**
 * The lines a person typed, rebuilt from a TTY session's stdin, for search: printable text
 * is kept, backspace (DEL or BS) erases a character, Ctrl-U the line, Ctrl-W a word, Ctrl-C
 * drops the line, and CR or LF (CRLF once) ends it. Escape sequences and other control keys
 * are skipped. Cursor movement (arrow keys, Ctrl-A, history recall, tab completion) cannot
 * be replayed without a model of the terminal and of the shell's line editor, so it is
 * ignored: a line edited in the middle comes out as its keystrokes in order. Memory is
 * bounded by the options, however much is pasted.
 */
export class TypedLines {
  readonly #maxLines: number;
  readonly #line: Buffer;
  readonly #lines: string[] = [];
  #length = 0;
  /** Characters typed on this line past `maxLineLength`, so that backspaces erase them first. */
  #overflow = 0;
  #state = TEXT;
  #afterCr = false;
  #truncated = false;

  constructor(options: TypedLinesOptions) {
    this.#maxLines = options.maxLines;
    this.#line = Buffer.alloc(options.maxLineLength);
  }

  /** Whether lines were dropped for `maxLines`. */
  get truncated(): boolean {
    return this.#truncated;
  }

  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      if (this.#state === TEXT) i = this.#printable(bytes, i);
      if (i >= bytes.length) return;
      const byte = bytes[i]!;
      if (this.#state !== TEXT) this.#escaped(byte);
      else this.#typed(byte);
    }
  }

  /** Appends the run of printable bytes from `from` (most of any input), and says where it ends. */
  #printable(bytes: Uint8Array, from: number): number {
    const line = this.#line;
    let length = this.#length;
    let i = from;
    for (; i < bytes.length; i++) {
      const byte = bytes[i]!;
      if (byte < 0x20 || byte === DEL) break;
      if (length < line.length) line[length++] = byte;
      else if (!isContinuation(byte)) this.#overflow++;
    }
    if (i > from) this.#afterCr = false;
    this.#length = length;
    return i;
  }

  /** The completed lines so far, in order, without blank ones or trailing whitespace. */
  /** How many lines are complete. */
  get count(): number {
    return this.#lines.length;
  }

  /** The complete lines from `index` on (what a writer has not taken yet). */
  since(index: number): string[] {
    return this.#lines.slice(index);
  }

  lines(): string[] {
    return this.#lines.slice();
  }

  /** A control byte (printable runs go through #printable). */
  #typed(byte: number): void {
    const afterCr = this.#afterCr;
    this.#afterCr = byte === CR;
    if (byte === CR || (byte === LF && !afterCr)) this.#complete();
    else if (byte === DEL || byte === BACKSPACE) this.#eraseCharacter();
    else if (byte === CTRL_U || byte === CTRL_C) this.#clear();
    else if (byte === CTRL_W) this.#eraseWord();
    else if (byte === ESC) this.#state = ESCAPE;
  }

  #escaped(byte: number): void {
    switch (this.#state) {
      case ESCAPE:
        if (byte === 0x5b) this.#state = CSI;
        else if (byte === 0x4f) this.#state = SS3;
        else if (byte >= 0x20 && byte <= 0x2f) this.#state = NF;
        else if (byte === 0x5d || byte === 0x50 || byte === 0x58 || byte === 0x5e || byte === 0x5f) {
          this.#state = STRING;
        } else this.#state = byte === ESC ? ESCAPE : TEXT; // Alt+key: ESC and one byte
        return;
      case CSI:
        if (byte >= 0x20 && byte <= 0x3f) return;
        this.#state = TEXT;
        // A control byte breaks the sequence off and counts as typed.
        if (byte < 0x20 || byte > 0x7e) this.#typed(byte);
        return;
      case SS3:
        this.#state = TEXT;
        return;
      case NF:
        if (byte < 0x20 || byte > 0x2f) this.#state = TEXT;
        return;
      case STRING:
        if (byte === BEL) this.#state = TEXT;
        else if (byte === ESC) this.#state = ESCAPE; // ESC \ ends it, as a two-byte sequence
    }
  }

  /** One character, UTF-8 aware: continuation bytes, then their lead. */
  #eraseCharacter(): void {
    if (this.#overflow > 0) {
      this.#overflow--;
      return;
    }
    while (this.#length > 0 && isContinuation(this.#line[this.#length - 1]!)) this.#length--;
    if (this.#length > 0) this.#length--;
  }

  /** Blanks before the cursor, then the word before them, as a shell's Ctrl-W does. */
  #eraseWord(): void {
    this.#overflow = 0;
    while (this.#length > 0 && isBlank(this.#line[this.#length - 1]!)) this.#length--;
    while (this.#length > 0 && !isBlank(this.#line[this.#length - 1]!)) this.#length--;
  }

  #clear(): void {
    this.#length = 0;
    this.#overflow = 0;
  }

  #complete(): void {
    const length = this.#length;
    this.#clear();
    if (length === 0) return;
    if (this.#lines.length >= this.#maxLines) {
      this.#truncated = true;
      return;
    }
    const text = this.#line.toString("utf8", 0, length).trimEnd();
    if (text !== "") this.#lines.push(text);
  }
}

function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

function isBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x09;
}
