/**
 * How the API server reads a collection GET's query (kubernetes/apiserver requestinfo.go,
 * which decodes metav1.ListOptions): whether it is a watch, and the object name a
 * `fieldSelector=metadata.name=…` pins it to.
 */

import { isCleanSegment, percentBytes } from "./request-attributes-path.ts";

const lenientUtf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** Parses a raw query string the way Go's url.ParseQuery does, so values match the server's. */
export function parseQuery(rawQuery: string): URLSearchParams {
  const query = new URLSearchParams();
  for (const pair of rawQuery.replace(/^\?/, "").split("&")) {
    // Go drops pairs with a semicolon or a bad escape rather than guessing what they meant.
    if (pair === "" || pair.includes(";")) continue;
    const at = pair.indexOf("=");
    const key = queryUnescape(at < 0 ? pair : pair.slice(0, at));
    const value = queryUnescape(at < 0 ? "" : pair.slice(at + 1));
    if (key !== undefined && value !== undefined) query.append(key, value);
  }
  return query;
}

function queryUnescape(text: string): string | undefined {
  const bytes = percentBytes(text.replaceAll("+", " "));
  // Go keeps bytes that are not UTF-8 as they are; the closest a JS string gets is U+FFFD.
  return bytes && lenientUtf8.decode(bytes);
}

/**
 * The verb and name of a GET on a collection. Like the server, any list option that fails to
 * decode (a malformed fieldSelector, limit or timeoutSeconds) leaves the name unset and
 * falls back to reading `watch` alone. The labelSelector grammar is not re-checked: a request
 * whose labelSelector is malformed is refused by the server with 400 anyway.
 */
export function collectionRead(query: URLSearchParams): { verb: "list" | "watch"; name: string } {
  const decoded = decodeListOptions(query);
  if (!decoded) return { verb: watchWhenOptionsFail(query.get("watch")) ? "watch" : "list", name: "" };
  return { verb: decoded.watch ? "watch" : "list", name: decoded.name };
}

function decodeListOptions(query: URLSearchParams): { watch: boolean; name: string } | undefined {
  for (const key of ["limit", "timeoutSeconds"]) {
    const value = query.get(key);
    if (value !== null && !isInt64(value)) return undefined;
  }
  const selector = parseFieldSelector(query.get("fieldSelector") ?? "");
  if (!selector) return undefined;
  const name = selector.find((term) => term.op === "=" && term.field === "metadata.name")?.value ?? "";
  // The server only takes a name that could be a path segment (path.IsValidPathSegmentName).
  // The gateway also drops one it could not name cleanly in an audit record.
  const usable = !name.includes("%") && isCleanSegment(name);
  return { watch: watchWhenOptionsDecode(query.get("watch")), name: usable ? name : "" };
}

/** Convert_Slice_string_To_bool: only "0" and "false" (Unicode case-folded) are false. */
function watchWhenOptionsDecode(value: string | null): boolean {
  if (value === null) return false;
  // strings.EqualFold also folds U+017F (long s) to "s"; no other letter of "false" has a fold.
  return !(value === "0" || /^fal[sſ]e$/i.test(value));
}

/** requestinfo.go's fallback: `strings.ToLower(v) == "false"`, which does not fold the long s. */
function watchWhenOptionsFail(value: string | null): boolean {
  if (value === null) return false;
  return !(value === "0" || /^false$/i.test(value));
}

/** strconv.ParseInt(s, 10, 64). */
function isInt64(value: string): boolean {
  if (!/^[+-]?\d+$/.test(value)) return false;
  const n = BigInt(value);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

interface FieldTerm {
  field: string;
  op: "=" | "!=";
  value: string;
}

/**
 * fields.ParseSelector: comma-separated terms (backslash escapes), each `field=value`,
 * `field==value` or `field!=value`, the terms sorted bytewise. Undefined when it does not parse.
 */
export function parseFieldSelector(selector: string): FieldTerm[] | undefined {
  const terms: FieldTerm[] = [];
  for (const part of splitTerms(selector).sort(compareUtf8)) {
    if (part === "") continue;
    const match = /!=|==|=/.exec(part);
    if (!match) return undefined;
    const value = unescapeValue(part.slice(match.index + match[0].length));
    if (value === undefined) return undefined;
    terms.push({ field: part.slice(0, match.index), op: match[0] === "!=" ? "!=" : "=", value });
  }
  return terms;
}

function splitTerms(selector: string): string[] {
  if (selector === "") return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (escaped) escaped = false;
    else if (c === "\\") escaped = true;
    else if (c === ",") {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** fields.UnescapeValue: `\\`, `\,` and `\=` are escapes; any other backslash, or a bare , or =, is an error. */
function unescapeValue(text: string): string | undefined {
  let out = "";
  let escaped = false;
  for (const c of text) {
    if (escaped) {
      if (c !== "\\" && c !== "," && c !== "=") return undefined;
      out += c;
      escaped = false;
    } else if (c === "\\") escaped = true;
    else if (c === "," || c === "=") return undefined;
    else out += c;
  }
  return escaped ? undefined : out;
}

/** Go sorts strings by their UTF-8 bytes; JavaScript by UTF-16 units, which differ above U+FFFF. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
