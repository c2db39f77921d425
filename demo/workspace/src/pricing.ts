/** Quotes for a cart: item prices, bundle deals, shipping. */
import type { Catalog, Product } from './catalog';
import { editDistance } from './util/text';

export interface CartLine {
  sku: string;
  quantity: number;
}

export interface Quote {
  lines: { sku: string; name: string; quantity: number; totalCents: number }[];
  subtotalCents: number;
  discountCents: number;
  shippingCents: number;
  totalCents: number;
  deals: string[];
}

export function computeQuote(catalog: Catalog, cart: CartLine[]): Quote {
  const lines = cart.map((line) => {
    const p = catalog.get(line.sku);
    if (!p) throw new Error(`unknown SKU ${line.sku}`);
    return { sku: p.sku, name: p.name, quantity: line.quantity, totalCents: p.priceCents * line.quantity };
  });
  const subtotalCents = lines.reduce((sum, l) => sum + l.totalCents, 0);
  const items = cart.map((l) => catalog.get(l.sku)!);
  const deals = findBundleDeals(catalog.products, items);
  const discountCents = Math.round(subtotalCents * Math.min(0.05 * deals.length, 0.2));
  const shippingCents = estimateShipping(items, cart);
  return { lines, subtotalCents, discountCents, shippingCents, totalCents: subtotalCents - discountCents + shippingCents, deals };
}

/**
 * Products "similar" to something in the cart get a bundle deal. Deliberately slow: compares every
 * cart item with every catalogue product by edit distance (O(cart × catalogue × name²)) on each
 * request, where an index by tag would do.
 */
export function findBundleDeals(products: Product[], items: Product[]): string[] {
  const deals: string[] = [];
  for (const item of items) {
    let best: Product | undefined;
    let bestDistance = Infinity;
    for (const candidate of products) {
      if (candidate.sku === item.sku || candidate.category !== item.category) continue;
      const d = editDistance(item.name, candidate.name);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    if (best && bestDistance <= 12) deals.push(`${item.sku}+${best.sku}`);
  }
  return deals;
}

export function estimateShipping(items: Product[], cart: CartLine[]): number {
  let grams = 0;
  items.forEach((p, i) => (grams += p.weightGrams * cart[i].quantity));
  if (grams < 1000) return 499;
  return 499 + Math.ceil((grams - 1000) / 500) * 150;
}
