/** Redis stream IDs ("<ms>-<seq>"): comparing them and turning times into range bounds. */

const STREAM_ID = /^(\d{1,20})-(\d{1,20})$/;
const MAX_SEQ = "18446744073709551615";

export function isStreamId(value: string): boolean {
  return STREAM_ID.test(value);
}

/** Negative, zero or positive, as a sorts before, equal to or after b. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq] = split(a);
  const [bMs, bSeq] = split(b);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

/** The last possible ID of the millisecond before `ms`: "after this" means "from ms on". */
export function idJustBefore(ms: number): string {
  return ms <= 0 ? "0-0" : `${ms - 1}-${MAX_SEQ}`;
}

function split(id: string): [bigint, bigint] {
  const dash = id.indexOf("-");
  return dash < 0 ? [BigInt(id), 0n] : [BigInt(id.slice(0, dash)), BigInt(id.slice(dash + 1))];
}

/** XRANGE/XREAD reply entries as [id, fields] pairs; tolerates a deleted entry's null. */
export type RawEntry = [id: string, fields: string[] | null];
