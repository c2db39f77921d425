/** The product catalogue: generated once at start-up from a fixed seed, searched per request. */
import { pick, seededRandom } from './util/random';
import { normalize, tokens } from './util/text';

export interface Product {
  sku: string;
  name: string;
  category: string;
  priceCents: number;
  weightGrams: number;
  tags: string[];
}

const ADJECTIVES = ['compact', 'heavy-duty', 'wireless', 'organic', 'vintage', 'foldable', 'smart', 'insulated', 'ergonomic', 'waterproof'];
const NOUNS = ['kettle', 'backpack', 'desk lamp', 'headphones', 'water bottle', 'keyboard', 'tent', 'coffee grinder', 'bike light', 'notebook'];
const CATEGORIES = ['kitchen', 'outdoor', 'office', 'audio', 'travel'];

export function generateCatalog(size: number, seed = 42): Product[] {
  const rand = seededRandom(seed);
  const products: Product[] = [];
  for (let i = 0; i < size; i++) {
    const name = `${pick(rand, ADJECTIVES)} ${pick(rand, NOUNS)} ${100 + Math.floor(rand() * 900)}`;
    products.push({
      sku: `SKU-${(i + 1).toString().padStart(5, '0')}`,
      name,
      category: pick(rand, CATEGORIES),
      priceCents: 499 + Math.floor(rand() * 20000),
      weightGrams: 50 + Math.floor(rand() * 5000),
      tags: tokens(name).slice(0, 2),
    });
  }
  return products;
}

export class Catalog {
  private readonly bySku = new Map<string, Product>();

  constructor(readonly products: Product[]) {
    for (const p of products) this.bySku.set(p.sku, p);
  }

  get(sku: string): Product | undefined {
    return this.bySku.get(sku);
  }

  /** Products whose name contains every query word. */
  search(query: string, limit = 20): Product[] {
    const words = tokens(query);
    const out: Product[] = [];
    for (const p of this.products) {
      const name = normalize(p.name);
      if (words.every((w) => name.includes(w))) out.push(p);
      if (out.length >= limit) break;
    }
    return out;
  }
}
