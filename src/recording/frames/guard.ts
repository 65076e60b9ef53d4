/**
 * One direction of a session, fed chunk by chunk to a parser that throws on what it cannot
 * read. The first failure is reported once and the direction is ignored from then on, so
 * nothing a client or cluster sends can throw into the gateway's relay.
 */
export function guarded<A extends unknown[]>(
  label: string,
  push: (...args: A) => void,
  onError: (message: string) => void,
): (...args: A) => void {
  let failed = false;
  return (...args) => {
    if (failed) return;
    try {
      push(...args);
    } catch (err) {
      failed = true;
      onError(`${label}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
}
