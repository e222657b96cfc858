/**
 * The grant ids seen in one file, for duplicate checks: an open-addressing hash table over typed
 * arrays, with the ids' characters copied into one pool. A JS Map of a million strings costs
 * seconds in hashing, rehashing and garbage collection (and each id, a slice of a file chunk,
 * would keep that whole chunk alive); this costs about half a microsecond per id and, for ids in
 * Latin-1 (all real ones), one byte per character plus 12 bytes per id, none of it on the JS heap.
 * The pool widens to two bytes a character at the first id outside Latin-1.
 */
export class IdIndex {
  private slots = new Int32Array(1 << 12);
  private mask = (1 << 12) - 1;
  private count = 0;
  private h1 = new Int32Array(1 << 11);
  private first = new Int32Array(1 << 11);
  /** Where each id starts in the pool; it ends where the next one starts (or at `used`). */
  private off = new Int32Array(1 << 11);
  private pool: Uint8Array | Uint16Array = new Uint8Array(1 << 16);
  private wide = false;
  private used = 0;

  get size(): number {
    return this.count;
  }

  /** Records `id` first seen at `at` and returns -1, or returns where an identical id was first seen. */
  add(id: string, at: number): number {
    const n = id.length;
    const start = this.used;
    if (start + n > this.pool.length) this.growPool(start + n);
    // FNV-1a over the UTF-16 code units, computed while copying; equal hashes are confirmed
    // by comparing the copies, so a collision can never be reported as a duplicate.
    let a = 0x811c9dc5 | 0;
    for (let i = 0; i < n; i++) {
      const c = id.charCodeAt(i);
      if (c > 0xff && !this.wide) this.widen();
      this.pool[start + i] = c;
      a = Math.imul(a ^ c, 16777619);
    }
    a ^= a >>> 15; // spread the high bits into the slot index
    a = Math.imul(a, 0x2c1b3c6d);
    a ^= a >>> 12;
    const pool = this.pool;
    let s = a & this.mask;
    for (;;) {
      const e = this.slots[s];
      if (e === 0) break;
      const k = e - 1;
      if (this.h1[k] === a) {
        const o = this.off[k];
        const end = k + 1 < this.count ? this.off[k + 1] : this.used;
        if (end - o === n) {
          let i = 0;
          while (i < n && pool[o + i] === pool[start + i]) i++;
          if (i === n) return this.first[k];
        }
      }
      s = (s + 1) & this.mask;
    }
    const k = this.count++;
    if (k >= this.h1.length) this.growEntries();
    this.h1[k] = a;
    this.first[k] = at;
    this.off[k] = start;
    this.used = start + n;
    this.slots[s] = k + 1;
    if (this.count * 2 > this.slots.length) this.rehash();
    return -1;
  }

  private growPool(need: number): void {
    const size = Math.max(this.pool.length * 2, need);
    const grown = this.wide ? new Uint16Array(size) : new Uint8Array(size);
    grown.set(this.pool.subarray(0, this.used));
    this.pool = grown;
  }

  /** An id outside Latin-1: the pool takes two bytes a character from now on. */
  private widen(): void {
    const wide = new Uint16Array(this.pool.length);
    wide.set(this.pool);
    this.pool = wide;
    this.wide = true;
  }

  private growEntries(): void {
    const grow = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.h1 = grow(this.h1);
    this.first = grow(this.first);
    this.off = grow(this.off);
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let k = 0; k < this.count; k++) {
      let s = this.h1[k] & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = k + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
