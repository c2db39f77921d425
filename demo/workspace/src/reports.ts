/** Sales reports: the allocation-heavy path (many short-lived objects and strings, some retained). */
import type { Catalog } from './catalog';
import { seededRandom } from './util/random';

export interface SaleRecord {
  id: string;
  sku: string;
  day: string;
  quantity: number;
  amountCents: number;
  note: string;
}

export interface ReportRow {
  category: string;
  day: string;
  orders: number;
  revenueCents: number;
}

/** Recent reports are kept for the dashboard: this is what stays live on the heap. */
const recentReports: string[] = [];
const KEEP_REPORTS = 40;

/** Simulates the sales history of `days` days; every record is a fresh object with fresh strings. */
export function loadSales(catalog: Catalog, days: number, seed: number): SaleRecord[] {
  const rand = seededRandom(seed);
  const records: SaleRecord[] = [];
  for (let d = 0; d < days; d++) {
    const day = new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10);
    const orders = 50 + Math.floor(rand() * 100);
    for (let o = 0; o < orders; o++) {
      const p = catalog.products[Math.floor(rand() * catalog.products.length)];
      const quantity = 1 + Math.floor(rand() * 3);
      records.push({ id: `${day}-${o}`, sku: p.sku, day, quantity, amountCents: quantity * p.priceCents, note: `order ${o} of ${p.name} on ${day}` });
    }
  }
  return records;
}

export function buildSalesReport(catalog: Catalog, days: number, seed: number): string {
  const records = loadSales(catalog, days, seed);
  const rows = new Map<string, ReportRow>();
  for (const r of records) {
    const category = catalog.get(r.sku)?.category ?? 'unknown';
    const key = `${category}|${r.day}`;
    const row = rows.get(key) ?? { category, day: r.day, orders: 0, revenueCents: 0 };
    row.orders++;
    row.revenueCents += r.amountCents;
    rows.set(key, row);
  }
  const json = JSON.stringify({ generated: new Date().toISOString(), rows: [...rows.values()], records: records.length });
  recentReports.push(json);
  if (recentReports.length > KEEP_REPORTS) recentReports.shift();
  return json;
}

export function retainedReportBytes(): number {
  return recentReports.reduce((n, s) => n + s.length, 0);
}
