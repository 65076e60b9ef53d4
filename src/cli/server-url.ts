import { UsageError } from "./cli-error.ts";

/** The broker's base URL without a trailing slash, so the same broker maps to one cache file. */
export function normalizeServer(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--server must be a URL such as https://kube-broker.example.com, not "${raw}"`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UsageError(`--server must be an https:// URL, not "${raw}"`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new UsageError("--server must not carry credentials, a query or a fragment");
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** --server, else KUBE_BROKER_SERVER, else the broker of the last login. */
export function resolveServer(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  lastServer: () => string | undefined,
): string {
  const raw = flag || env.KUBE_BROKER_SERVER || lastServer();
  if (!raw) throw new UsageError("which broker? pass --server URL or set KUBE_BROKER_SERVER");
  return normalizeServer(raw);
}
