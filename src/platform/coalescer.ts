export interface CoalescerOptions {
  /** Most items in one batch. */
  maxBatch: number;
  /** How long the first item of a batch waits for company (ms), like Kafka's linger.ms. */
  lingerMs: number;
}

/**
 * Gathers single requests made close together into one batch call, and hands each caller its own
 * result (the DataLoader pattern). With many events in flight, this turns N round trips into one.
 * `run` must return one result per item, in order; if it throws, every caller of that batch gets
 * the error.
 */
export class Coalescer<In, Out> {
  readonly #run: (items: In[]) => Promise<Out[]>;
  readonly #options: CoalescerOptions;
  #queue: { item: In; resolve(value: Out): void; reject(error: unknown): void }[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(run: (items: In[]) => Promise<Out[]>, options: CoalescerOptions) {
    this.#run = run;
    this.#options = options;
  }

  submit(item: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (this.#queue.length >= this.#options.maxBatch) this.#flush();
      else this.#timer ??= setTimeout(() => this.#flush(), this.#options.lingerMs);
    });
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    this.#run(batch.map((entry) => entry.item)).then(
      (results) => {
        for (const [index, entry] of batch.entries()) entry.resolve(results[index] as Out);
      },
      (error: unknown) => {
        for (const entry of batch) entry.reject(error);
      },
    );
  }
}
