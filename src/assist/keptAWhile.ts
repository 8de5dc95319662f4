/**
 * Answers from Graph that change rarely (a technician's devices, a person's names), kept a short while per
 * key, so steady work asks Graph only for what is new. Lookups of one key at the same moment share one call;
 * a failure is not kept, so the next lookup asks again. Per process, and bounded: keys come from outside.
 */
export class KeptAWhile<T> {
  private readonly kept = new Map<string, { value: T; until: number }>();
  private readonly asked = new Map<string, Promise<T>>();

  constructor(
    private readonly ttlMs: number,
    private readonly max = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, read: () => Promise<T>): Promise<T> {
    const hit = this.kept.get(key);
    if (hit && hit.until > this.now()) return Promise.resolve(hit.value);
    let pending = this.asked.get(key);
    if (!pending) {
      pending = read()
        .then((value) => {
          if (this.kept.size >= this.max) this.kept.clear();
          this.kept.set(key, { value, until: this.now() + this.ttlMs });
          return value;
        })
        .finally(() => this.asked.delete(key));
      this.asked.set(key, pending);
    }
    return pending;
  }
}
