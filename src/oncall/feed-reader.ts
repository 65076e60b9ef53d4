import { open } from "node:fs/promises";

/** Where a schedule's feed comes from: a URL (its secret part never logged) or a file. */
export type FeedSource = { url: string } | { file: string };

export interface FeedLimits {
  timeoutMs: number;
  maxBytes: number;
}

/**
 * Reads a feed's text, within a time and a size limit: a feed that hangs or grows without end
 * must cost a refresh, not the broker's memory. Errors say what went wrong without the URL,
 * which for PagerDuty and Grafana OnCall feeds is itself the secret.
 */
export async function readFeed(source: FeedSource, limits: FeedLimits): Promise<string> {
  return "url" in source ? fetchFeed(source.url, limits) : readFileFeed(source.file, limits);
}

async function fetchFeed(url: string, limits: FeedLimits): Promise<string> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { accept: "text/calendar, */*;q=0.5", "user-agent": "kube-broker" },
      signal,
    });
  } catch (err) {
    throw new Error(`the feed could not be fetched: ${reason(err, limits)}`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`the feed answered HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (declared > limits.maxBytes) {
    await res.body?.cancel();
    throw new Error(`the feed is ${declared} bytes, over maxBytes (${limits.maxBytes})`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of res.body ?? []) {
      total += chunk.byteLength;
      if (total > limits.maxBytes) throw new Error(`the feed is over maxBytes (${limits.maxBytes})`);
      chunks.push(chunk);
    }
  } catch (err) {
    await res.body?.cancel().catch(() => {});
    throw new Error(`the feed could not be read: ${reason(err, limits)}`);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function readFileFeed(file: string, limits: FeedLimits): Promise<string> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    if (size > limits.maxBytes)
      throw new Error(`${file} is ${size} bytes, over maxBytes (${limits.maxBytes})`);
    return await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
}

function reason(err: unknown, limits: FeedLimits): string {
  const error = err as Error & { cause?: { code?: string; message?: string } };
  if (error.name === "TimeoutError") return `no answer within ${limits.timeoutMs / 1000}s`;
  // undici's own message is "fetch failed"; its cause names the socket error, not the URL.
  return error.cause?.code ?? error.cause?.message ?? error.message;
}
