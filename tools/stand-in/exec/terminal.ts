/**
 * The pseudo-terminal a TTY exec gets. kubectl puts the user's terminal in raw mode and sends
 * every key as typed, so the echo, line editing and newline translation a user sees come from
 * the container's pty in cooked mode (ICANON, ECHO, ECHOE, ICRNL, ONLCR), done here:
 * printable characters are echoed, erase (DEL 0x7f, or ^H 0x08) rubs out with "\b \b", Enter
 * (\r, or \n) ends the line and echoes "\r\n", ^U kills the line, ^C drops it (echoing "^C"),
 * ^D on an empty line is end of input, and escape sequences (arrow keys) are swallowed, as a
 * shell without line history would leave them.
 */
import { StringDecoder } from "node:string_decoder";

/** The window size, as `stty size` prints it: 0 0 until the client sends one, as for a fresh pty. */
export class TerminalSize {
  rows = 0;
  cols = 0;
  /** Told of each change: an attach passes its client's size on to the pod's main process. */
  onResize: ((size: TerminalSize) => void) | undefined;

  set(rows: number, cols: number): void {
    this.rows = rows;
    this.cols = cols;
    this.onResize?.(this);
  }

  /**
   * One resize message: client-go's TerminalSize `{"Width":W,"Height":H}` (no JSON tags). Sizes
   * below 1 are skipped, as the kubelet's HandleResizing skips them; so is what is not JSON.
   */
  apply(message: string): void {
    let size: { Width?: unknown; Height?: unknown };
    try {
      size = JSON.parse(message);
    } catch {
      return;
    }
    const { Width, Height } = size ?? {};
    if (typeof Width !== "number" || typeof Height !== "number" || Width < 1 || Height < 1) return;
    this.set(Height, Width);
  }
}

/**
 * Resize messages from a byte stream (SPDY's resize stream): client-go writes them with a Go
 * json.Encoder, one JSON value per line.
 */
export class ResizeReader {
  #pending = "";
  readonly #size: TerminalSize;

  constructor(size: TerminalSize) {
    this.#size = size;
  }

  push(chunk: Buffer): void {
    const lines = (this.#pending + chunk.toString("utf8")).split("\n");
    this.#pending = lines.pop() ?? "";
    for (const line of lines) if (line.trim()) this.#size.apply(line);
  }
}

export type LineEvent = { type: "line"; text: string } | { type: "eof" } | { type: "interrupt" };

const ERASE = new Set(["\x7f", "\b"]);

/** Cooked-mode input: keys in, the echo written back, whole lines (or ^C, ^D) out. */
export class LineDiscipline {
  readonly #echo: (text: string) => void;
  readonly #decoder = new StringDecoder("utf8");
  /** Code points, so an erase removes a whole character. */
  #line: string[] = [];
  /** Inside an escape sequence: "esc" after ESC, "csi" after ESC [. */
  #escape: "" | "esc" | "csi" = "";

  constructor(echo: (text: string) => void) {
    this.#echo = echo;
  }

  feed(bytes: Buffer): LineEvent[] {
    const events: LineEvent[] = [];
    for (const char of this.#decoder.write(bytes)) {
      const event = this.#key(char);
      if (event) events.push(event);
    }
    return events;
  }

  #key(char: string): LineEvent | undefined {
    if (this.#escape) {
      // ESC [ parameters… final byte (0x40–0x7e); ESC followed by one other character.
      if (this.#escape === "esc" && char === "[") this.#escape = "csi";
      else if (this.#escape === "esc" || (char >= "@" && char <= "~")) this.#escape = "";
      return undefined;
    }
    if (char === "\x1b") this.#escape = "esc";
    else if (char === "\r" || char === "\n") return this.#take("\r\n");
    else if (ERASE.has(char)) this.#rubOut(1);
    else if (char === "\x15") this.#rubOut(this.#line.length);
    else if (char === "\x03") {
      this.#line = [];
      this.#echo("^C\r\n");
      return { type: "interrupt" };
    } else if (char === "\x04") {
      if (this.#line.length === 0) return { type: "eof" };
    } else if (char >= " " || char === "\t") {
      this.#line.push(char);
      this.#echo(char);
    }
    return undefined;
  }

  #take(echo: string): LineEvent {
    this.#echo(echo);
    const text = this.#line.join("");
    this.#line = [];
    return { type: "line", text };
  }

  #rubOut(count: number): void {
    const n = Math.min(count, this.#line.length);
    this.#line.length -= n;
    if (n > 0) this.#echo("\b \b".repeat(n));
  }
}

/** ONLCR: a pty turns each "\n" a program writes into "\r\n" (bytes, so binary output keeps its other bytes). */
export function onlcr(data: string | Buffer): Buffer {
  const bytes = Buffer.from(data);
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, from)) {
    parts.push(bytes.subarray(from, at), CRLF);
    from = at + 1;
  }
  parts.push(bytes.subarray(from));
  return Buffer.concat(parts);
}

const CRLF = Buffer.from("\r\n");
