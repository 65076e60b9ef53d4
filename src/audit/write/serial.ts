/**
 * Runs async sections one after another. The buffered writer puts "decide where a batch
 * goes and put it there" and "replay a chunk, or empty the spool" under one of these, so
 * a batch can never be sent straight to Redis while older records still wait in the spool.
 */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(section);
    this.#tail = result.catch(() => {});
    return result;
  }
}
