/**
 * Grant ids that may be in the register: a Bloom filter (no false negatives, a few false
 * positives). A grant whose id the filter has never seen cannot be in the register, so the
 * writer inserts it without looking it up; a hit is looked up as always. 16 bits per id: a
 * million ids take 2 MiB and give well under 1% false hits.
 */
export class IdFilter {
  private readonly bits: Int32Array;
  private readonly mask: number;
  private readonly capacity: number;
  private count = 0;

  constructor(capacity: number) {
    let words = 1 << 11;
    while (words * 32 < capacity * 16) words *= 2;
    this.bits = new Int32Array(words);
    this.mask = words * 32 - 1;
    this.capacity = Math.floor((words * 32) / 12);
  }

  add(id: string): void {
    // Past its capacity false hits climb: it gives up and says every id may exist (each is looked up).
    if (++this.count > this.capacity) this.bits.fill(-1);
    else this.probe(id, true);
  }

  has(id: string): boolean {
    return this.probe(id, false);
  }

  /** Double hashing: FNV-1a, and a mix of it (odd, so the four probes differ). */
  private probe(id: string, set: boolean): boolean {
    let a = 0x811c9dc5 | 0;
    for (let i = 0; i < id.length; i++) a = Math.imul(a ^ id.charCodeAt(i), 16777619);
    let b = Math.imul(a ^ (a >>> 16), 0x45d9f3b);
    b = (Math.imul(b ^ (b >>> 16), 0x45d9f3b) ^ (b >>> 16)) | 1;
    for (let k = 0; k < 4; k++) {
      const bit = (a + Math.imul(k, b)) & this.mask;
      const word = bit >>> 5;
      const m = 1 << (bit & 31);
      if (set) this.bits[word] |= m;
      else if ((this.bits[word] & m) === 0) return false;
    }
    return true;
  }
}
