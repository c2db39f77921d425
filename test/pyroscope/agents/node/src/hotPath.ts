// Deliberately expensive code paths of the Node test service, so its profiles have
// known hot spots in this .ts file: slowPrimeCount burns CPU, buildAllocReport allocates.

/** Counts primes below n by trial division: deliberately slow. */
export function slowPrimeCount(n: number): number {
  let count = 0;
  for (let i = 2; i < n; i++) {
    if (isPrime(i)) {
      count++;
    }
  }
  return count;
}

function isPrime(v: number): boolean {
  for (let d = 2; d * d <= v; d++) {
    if (v % d === 0) {
      return false;
    }
  }
  return true;
}

const retained: string[][] = [];

/** Allocates many short strings and arrays: an allocation-heavy path. */
export function buildAllocReport(rows: number): number {
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const cells: string[] = [];
    for (let j = 0; j < 8; j++) {
      cells.push(`r${i}-c${j}-${Math.random().toString(36).slice(2)}`);
    }
    lines.push(cells.join(','));
  }
  retained.push(lines);
  if (retained.length > 64) {
    retained.shift();
  }
  return lines.length;
}
