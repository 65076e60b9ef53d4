/**
 * Buffers that session recorders write their records into, used again once written. Every
 * buffer the process allocates outside V8's heap counts as external memory, and a steady
 * stream of fresh ones makes V8 run full collections over the whole heap again and again
 * (measured: as much CPU on V8's worker threads as the relaying itself): a recorder taking a
 * bulk stream reuses a handful instead.
 *
 * Two sizes: a session starts each batch in a small one (an interactive session never needs
 * more, so a thousand of them do not pin a thousand large buffers), and a batch that outgrows
 * it goes on in large ones.
 */
export const SMALL_ARENA = 16 * 1024;
export const LARGE_ARENA = 1024 * 1024;
/** Idle buffers kept at most, per size: 4 MiB small and 16 MiB large. */
const KEEP = { [SMALL_ARENA]: 256, [LARGE_ARENA]: 16 } as Record<number, number>;

const free = new Map<number, Buffer[]>([
  [SMALL_ARENA, []],
  [LARGE_ARENA, []],
]);
/** The buffers this pool made: only those go back into it. */
const ours = new WeakSet<ArrayBufferLike>();

/** A buffer of `size` (one of the two sizes) from the pool, or a new one. */
export function acquireArena(size: number): Buffer {
  const arena = free.get(size)?.pop() ?? Buffer.allocUnsafeSlow(size);
  ours.add(arena.buffer);
  return arena;
}

/**
 * Gives back the buffers under `pieces` (views of arenas from acquireArena, or anything else,
 * which is left alone). Only once nothing reads them any more: the next session writes over them.
 */
export function releaseArenas(pieces: readonly Buffer[]): void {
  for (const piece of pieces) {
    const buffer = piece.buffer;
    const list = free.get(buffer.byteLength);
    if (!list || !ours.has(buffer) || list.length >= (KEEP[buffer.byteLength] ?? 0)) continue;
    ours.delete(buffer); // in the pool once: a second release of the same piece is ignored
    list.push(Buffer.from(buffer));
  }
}
