import { BadRequest } from "../shared/errors.ts";

/**
 * Decodes a request path into its segments, refusing anything that two parsers could read
 * differently. The gateway decides and audits on its parse while the API server routes on its
 * own, so a path must have one reading only: no dot segments (which proxies and servers
 * normalize differently), no encoded slash or backslash (one segment here, two there), no
 * empty segments, no control characters, nothing that is not valid percent-encoded UTF-8.
 */
export interface DecodedPath {
  /** The decoded path, as Go's `URL.Path` holds it (a single trailing slash kept). */
  path: string;
  /** Its decoded segments, without the empty ones a leading or trailing slash makes. */
  segments: string[];
}

// RFC 3986 pchar: what may appear unencoded in a path segment (plus `%` for escapes).
const RAW_SEGMENT = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%]*$/;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const textEncoder = new TextEncoder();

export function decodeRequestPath(rawPath: string): DecodedPath {
  const target = rawPath === "" ? "/" : rawPath;
  if (!target.startsWith("/")) refuse('it does not start with "/"');
  const raw = target.slice(1).split("/");
  // One trailing slash is harmless (the API server trims it); an empty segment elsewhere is `//`.
  const trailingSlash = raw.length > 1 && raw.at(-1) === "";
  if (raw.at(-1) === "") raw.pop();
  const segments = raw.map(decodeSegment);
  const path = segments.length === 0 ? "/" : `/${segments.join("/")}${trailingSlash ? "/" : ""}`;
  return { path, segments };
}

function decodeSegment(raw: string): string {
  if (raw === "") refuse('it has an empty segment ("//")');
  if (raw.includes("\\")) refuse("it contains a backslash");
  if (!RAW_SEGMENT.test(raw)) {
    const char = [...raw].find((c) => !RAW_SEGMENT.test(c)) ?? "";
    refuse(`it contains ${JSON.stringify(char)} unencoded, which must be percent-encoded`);
  }
  const segment = raw.includes("%") ? percentDecode(raw) : raw;
  if (segment === "." || segment === "..") refuse('it has a "." or ".." segment (perhaps percent-encoded)');
  if (segment.includes("/")) refuse("it contains an encoded slash (%2F)");
  if (segment.includes("\\")) refuse("it contains an encoded backslash (%5C)");
  if (hasControlCharacter(segment)) refuse("it contains an encoded control character (such as %00)");
  return segment;
}

function percentDecode(raw: string): string {
  const bytes = percentBytes(raw);
  if (!bytes) {
    const malformed = /%(?![0-9A-Fa-f]{2}).{0,2}/s.exec(raw)?.[0] ?? "%";
    refuse(`it has a malformed percent-escape ${JSON.stringify(malformed)}`);
  }
  try {
    return utf8.decode(bytes);
  } catch {
    return refuse("it does not decode as UTF-8");
  }
}

/** The bytes a percent-encoded string stands for; undefined when a `%` starts no valid escape. */
export function percentBytes(text: string): Uint8Array | undefined {
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) return undefined;
  const bytes: number[] = [];
  for (const part of text.split(/(%[0-9A-Fa-f]{2})/)) {
    if (part.startsWith("%")) bytes.push(Number.parseInt(part.slice(1), 16));
    else bytes.push(...textEncoder.encode(part));
  }
  return Uint8Array.from(bytes);
}

/**
 * A segment the gateway can name in a decision or an audit record without ambiguity: not a
 * dot segment, no slash or backslash, no control character.
 */
export function isCleanSegment(segment: string): boolean {
  return (
    segment !== "." &&
    segment !== ".." &&
    !segment.includes("/") &&
    !segment.includes("\\") &&
    !hasControlCharacter(segment)
  );
}

/** C0 controls (NUL included), DEL and C1 controls. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

function refuse(why: string): never {
  throw new BadRequest(`the gateway refuses this request path: ${why}`);
}
