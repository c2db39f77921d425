/**
 * Suites record measurements (activation time, …) here; the runner prints them after the pass/fail
 * counts. Kept on globalThis so every bundled module sees the same list.
 */
interface Metric {
  name: string;
  value: number;
  unit: string;
}

const store = ((globalThis as any).__profileLensMetrics ??= []) as Metric[];

export function recordMetric(name: string, value: number, unit = 'ms'): void {
  store.push({ name, value, unit });
}

export function takeMetrics(): Metric[] {
  return store.splice(0, store.length);
}
