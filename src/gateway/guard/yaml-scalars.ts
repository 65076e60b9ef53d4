/**
 * What a plain (unquoted) YAML scalar means to the API server. It reads YAML with
 * sigs.k8s.io/yaml, which is go-yaml v2: YAML 1.1 rules, not the 1.2 core schema the `yaml`
 * package defaults to. The difference is not academic: `0100` is 64 there and 100 here, `y`, `on`
 * and `no` are booleans, `1_000` is 1000. A guard reading numbers with other rules than the
 * server's could pass an `expirationSeconds` the server reads as far larger, so this follows
 * go-yaml's resolve.go step by step.
 */

export type Resolved =
  | { kind: "null" }
  | { kind: "bool"; value: boolean }
  /** go-yaml's int, int64 or uint64: exact, hence a bigint. */
  | { kind: "int"; value: bigint }
  | { kind: "float"; value: number }
  | { kind: "string"; value: string };

const NULL: Resolved = { kind: "null" };
const TRUE: Resolved = { kind: "bool", value: true };
const FALSE: Resolved = { kind: "bool", value: false };
const float = (value: number): Resolved => ({ kind: "float", value });

/** go-yaml's resolveMap: exact spellings, looked up before anything else. */
const WORDS = new Map<string, Resolved>();
const words = (resolved: Resolved, spellings: string) => {
  for (const spelling of spellings.split(" ")) WORDS.set(spelling, resolved);
};
words(TRUE, "y Y yes Yes YES true True TRUE on On ON");
words(FALSE, "n N no No NO false False FALSE off Off OFF");
words(NULL, "~ null Null NULL");
words(float(Number.NaN), ".nan .NaN .NAN");
words(float(Number.POSITIVE_INFINITY), ".inf .Inf .INF +.inf +.Inf +.INF");
words(float(Number.NEGATIVE_INFINITY), "-.inf -.Inf -.INF");

/** go-yaml's resolveTable: the first character decides which rules may apply at all. */
function hint(text: string): "S" | "D" | "M" | "." | undefined {
  const first = text[0]!;
  if (first === "+" || first === "-") return "S";
  if (first >= "0" && first <= "9") return "D";
  if ("yYnNtTfFoO~".includes(first)) return "M";
  if (first === ".") return ".";
  return undefined;
}

/** Go's strconv.ParseInt(s, 0, 64) syntax: an optional sign, then 0x, 0b, 0o, a leading-0 octal, or decimal. */
const GO_INT = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[bB]([01]+)|0[oO]([0-7]+)|0([0-7]*)|([1-9][0-9]*))$/;
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** Go's strconv.ParseFloat on a scalar that begins with a dot. */
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** ParseInt, then ParseUint (which takes no sign), as go-yaml tries them; undefined when neither parses. */
function goInteger(plain: string): bigint | undefined {
  const match = GO_INT.exec(plain);
  if (!match) return undefined;
  const [, sign, hex, binary, octal, legacyOctal, decimal] = match;
  const magnitude =
    hex !== undefined
      ? BigInt(`0x${hex}`)
      : binary !== undefined
        ? BigInt(`0b${binary}`)
        : octal !== undefined
          ? BigInt(`0o${octal}`)
          : legacyOctal !== undefined
            ? BigInt(`0o${legacyOctal || "0"}`)
            : BigInt(decimal!);
  const value = sign === "-" ? -magnitude : magnitude;
  if (value >= INT64_MIN && value <= INT64_MAX) return value;
  if (sign === "" && value <= UINT64_MAX) return value;
  return undefined;
}

/** The value of a plain scalar, as go-yaml's resolve() gives it for an untagged node. */
export function resolvePlain(text: string): Resolved {
  const string: Resolved = { kind: "string", value: text };
  if (text === "") return NULL;
  const kind = hint(text);
  if (!kind) return string;
  const word = WORDS.get(text);
  if (word) return word;
  if (kind === ".") {
    const value = Number(text);
    return DOT_FLOAT.test(text) && Number.isFinite(value) ? float(value) : string;
  }
  if (kind === "D" || kind === "S") {
    // Timestamps (2001-12-14) come back as their text when decoded into interface{}, and
    // nothing that looks like one parses as a number, so they need no rule of their own.
    const plain = text.replaceAll("_", "");
    const integer = goInteger(plain);
    if (integer !== undefined) return { kind: "int", value: integer };
    if (YAML_STYLE_FLOAT.test(plain)) {
      // ParseFloat fails past float64's range, and go-yaml then keeps the text.
      const value = Number(plain);
      if (Number.isFinite(value)) return float(value);
    }
  }
  return string;
}

/** The JSON map key sigs.k8s.io/yaml makes of a resolved key, or why it refuses one. */
export function keyOf(resolved: Resolved): string | { refused: string } {
  switch (resolved.kind) {
    case "string":
      return resolved.value;
    case "bool":
      return String(resolved.value);
    case "int":
      return resolved.value > INT64_MAX
        ? { refused: "is an unsigned 64-bit number" }
        : String(resolved.value);
    case "float":
      if (Number.isNaN(resolved.value)) return ".nan";
      if (!Number.isFinite(resolved.value)) return resolved.value > 0 ? ".inf" : "-.inf";
      // Go would print it as a float32 ('g', -1, 32); quoting the key says what is meant.
      return { refused: "reads as a fractional number" };
    case "null":
      return { refused: "is null" };
  }
}
