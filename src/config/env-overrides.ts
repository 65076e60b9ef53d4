import { parse as parseYaml } from "yaml";

const PREFIX = "KUBE_BROKER_";

/**
 * Applies `KUBE_BROKER_<SECTION>__<FIELD>[__...]=value` variables over the raw config.
 * `__` separates levels, single `_` words are camelCased (`SERVER__PUBLIC_URL` →
 * server.publicUrl), digits index arrays (`CLUSTERS__0__SERVER`), and values are read as YAML
 * scalars so numbers, booleans and `[a, b]` lists work. Variables without `__` (such as the
 * CLI's KUBE_BROKER_SERVER) are not config overrides.
 */
export function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const root: Record<string, unknown> = isObject(raw) ? structuredClone(raw) : {};
  const names = Object.keys(env)
    .filter((name) => name.startsWith(PREFIX) && name.includes("__"))
    .sort();
  for (const name of names) {
    const path = name.slice(PREFIX.length).split("__").map(camelCase);
    if (path.some((segment) => segment === "")) continue;
    setPath(root, path, parseValue(env[name] ?? ""));
  }
  return root;
}

function camelCase(segment: string): string {
  if (/^\d+$/.test(segment)) return segment;
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function parseValue(text: string): unknown {
  try {
    return parseYaml(text);
  } catch {
    return text;
  }
}

function setPath(root: Record<string, unknown>, path: string[], value: unknown): void {
  let node: Record<string, unknown> | unknown[] = root;
  path.forEach((segment, i) => {
    const last = i === path.length - 1;
    const key = Array.isArray(node) ? Number(segment) : segment;
    const container = node as Record<string | number, unknown>;
    if (last) {
      container[key] = value;
      return;
    }
    const nextIsIndex = /^\d+$/.test(path[i + 1]!);
    if (!isObject(container[key]) && !Array.isArray(container[key])) container[key] = nextIsIndex ? [] : {};
    node = container[key] as Record<string, unknown> | unknown[];
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
