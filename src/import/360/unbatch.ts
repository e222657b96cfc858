/**
 * Items of an async source of arrays, one at a time. Hand-written rather than an async
 * generator: a million-grant file yields millions of items and an async generator's
 * per-item machinery costs about twice as much as a resolved promise.
 */
export class Unbatch<T> implements AsyncGenerator<T, undefined, unknown> {
  private buf: T[] = [];
  private pos = 0;
  private done = false;
  constructor(private readonly src: AsyncGenerator<T[]>) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.pos < this.buf.length) return Promise.resolve({ value: this.buf[this.pos++], done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return this.src.next().then((r) => {
      if (r.done) {
        this.done = true;
        this.buf = [];
        return { value: undefined, done: true };
      }
      this.buf = r.value;
      this.pos = 0;
      return this.next();
    });
  }

  async return(): Promise<IteratorResult<T, undefined>> {
    this.done = true;
    this.buf = [];
    await this.src.return(undefined);
    return { value: undefined, done: true };
  }

  async throw(e: unknown): Promise<IteratorResult<T, undefined>> {
    this.done = true;
    this.buf = [];
    await this.src.return(undefined);
    throw e;
  }
}
