/** A Map that forgets its oldest entries past a size, so a flood of tokens cannot grow memory. */
export class BoundedCache<T> {
  readonly #max: number;
  readonly #map = new Map<string, T>();
  constructor(max: number) {
    this.#max = max;
  }
  get(key: string): T | undefined {
    return this.#map.get(key);
  }
  set(key: string, value: T): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value!);
  }
}
