/**
 * Glob matching for policy patterns: `*` is any run of characters (also none), `?` is exactly
 * one character, everything else is literal. The whole value must match. No regular
 * expression is built from the pattern, so a pattern can never inject regex syntax, and the
 * matcher runs in O(pattern × value) at worst (no catastrophic backtracking).
 */
export function globMatch(pattern: string, value: string): boolean {
  // Code points, not UTF-16 units, so that `?` stands for one character even outside the BMP.
  const p = Array.from(pattern);
  const v = Array.from(value);
  let pi = 0;
  let vi = 0;
  // Where the last `*` was seen, and how much of the value it has swallowed so far.
  let starAt = -1;
  let starValue = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === "?" || (p[pi] !== "*" && p[pi] === v[vi]))) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === "*") {
      starAt = pi++;
      starValue = vi;
    } else if (starAt >= 0) {
      // Let the last `*` take one more character and retry the rest of the pattern.
      pi = starAt + 1;
      vi = ++starValue;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}
