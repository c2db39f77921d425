/** (a, b) int pair → dense id, open addressing on typed arrays (small tables stay in cache). */
export class PairMap {
  a: Int32Array;
  b: Int32Array;
  count = 0;
  private table: Int32Array;
  private mask: number;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.a = new Int32Array(cap);
    this.b = new Int32Array(cap);
    this.table = new Int32Array(cap * 2);
    this.mask = cap * 2 - 1;
  }

  private static hash(a: number, b: number): number {
    let h = (Math.imul(a, 0x9e3779b1) + b) | 0;
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return h ^ (h >>> 16);
  }

  /** id of (a, b), created when new */
  id(a: number, b: number): number {
    const mask = this.mask;
    let slot = PairMap.hash(a, b) & mask;
    for (;;) {
      const v = this.table[slot];
      if (v === 0) break;
      if (this.a[v - 1] === a && this.b[v - 1] === b) return v - 1;
      slot = (slot + 1) & mask;
    }
    const n = this.count++;
    if (n === this.a.length) {
      const na = new Int32Array(n * 2);
      na.set(this.a);
      const nb = new Int32Array(n * 2);
      nb.set(this.b);
      this.a = na;
      this.b = nb;
    }
    this.a[n] = a;
    this.b[n] = b;
    if (this.count * 2 > mask) this.rehash();
    else this.table[slot] = n + 1;
    return n;
  }

  private rehash(): void {
    const size = (this.mask + 1) * 2;
    const mask = size - 1;
    const table = new Int32Array(size);
    for (let n = 0; n < this.count; n++) {
      let slot = PairMap.hash(this.a[n], this.b[n]) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = n + 1;
    }
    this.table = table;
    this.mask = mask;
  }
}
