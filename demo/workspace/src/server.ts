/** HTTP routes of the shop API. */
import * as http from 'node:http';
import { Catalog, generateCatalog } from './catalog';
import { computeQuote, type CartLine } from './pricing';
import { buildSalesReport, retainedReportBytes } from './reports';

export type ExtraRoute = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => boolean | Promise<boolean>;

export interface ServiceOptions {
  port: number;
  host?: string;
  catalogSize?: number;
  /** extra handlers tried first (e.g. /debug/pprof/*); return true when handled */
  extraRoutes?: ExtraRoute[];
}

export function createApp(catalog: Catalog, extraRoutes: ExtraRoute[] = []): http.RequestListener {
  let reportSeed = 1;
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      for (const route of extraRoutes) if (await route(req, res, url)) return;
      if (url.pathname === '/healthz') return send(res, 200, { ok: true });
      if (url.pathname === '/search') return send(res, 200, catalog.search(url.searchParams.get('q') ?? ''));
      if (url.pathname === '/quote') return send(res, 200, computeQuote(catalog, parseCart(url.searchParams.get('cart') ?? '')));
      if (url.pathname === '/report') {
        const days = Math.min(Number(url.searchParams.get('days') ?? 30), 365);
        return sendText(res, 200, buildSalesReport(catalog, days, reportSeed++));
      }
      if (url.pathname === '/stats') return send(res, 200, { products: catalog.products.length, retainedReportBytes: retainedReportBytes() });
      send(res, 404, { error: `no route ${url.pathname}` });
    } catch (e) {
      send(res, 400, { error: e instanceof Error ? e.message : String(e) });
    }
  };
}

/** "SKU-00001:2,SKU-00042:1" → cart lines */
export function parseCart(text: string): CartLine[] {
  return text.split(',').filter(Boolean).map((part) => {
    const [sku, qty] = part.split(':');
    const quantity = Number(qty ?? 1);
    if (!Number.isInteger(quantity) || quantity < 1) throw new Error(`bad quantity in "${part}"`);
    return { sku, quantity };
  });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  sendText(res, status, JSON.stringify(body));
}

function sendText(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

export function startService(o: ServiceOptions): Promise<http.Server> {
  const catalog = new Catalog(generateCatalog(o.catalogSize ?? 5000));
  const server = http.createServer(createApp(catalog, o.extraRoutes));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => resolve(server));
  });
}
