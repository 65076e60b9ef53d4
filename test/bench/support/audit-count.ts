import { Redis } from "ioredis";
import { auditKeys } from "../../../src/audit/audit-keys.ts";
import { fromStreamFields } from "../../../src/audit/record-fields.ts";

/**
 * Request records in the audit stream, by grant and phase, read page by page (a gateway
 * benchmark leaves hundreds of thousands of them).
 */
export async function countRequestRecords(
  redis: { url: string; keyPrefix: string },
  grantIds: string[],
): Promise<Record<string, { start: number; end: number }>> {
  const client = new Redis(redis.url);
  const counts = Object.fromEntries(grantIds.map((id) => [id, { start: 0, end: 0 }]));
  try {
    let from = "-";
    for (;;) {
      const page = await client.xrange(auditKeys(redis.keyPrefix).log, from, "+", "COUNT", 10_000);
      for (const [id, fields] of page) {
        const entry = fromStreamFields(id, fields);
        if (entry.type === "request" && counts[entry.grant]) counts[entry.grant]![entry.phase]++;
      }
      if (page.length < 10_000) return counts;
      from = `(${page[page.length - 1]![0]}`;
    }
  } finally {
    client.disconnect();
  }
}

/** The pid of the redis-server behind `url` (it counts towards the gateway's CPU cost). */
export async function redisPid(url: string): Promise<number> {
  const client = new Redis(url);
  try {
    return Number(/process_id:(\d+)/.exec(await client.info("server"))?.[1]);
  } finally {
    client.disconnect();
  }
}
