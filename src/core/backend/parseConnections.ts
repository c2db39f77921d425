/**
 * Validates the `profileLens.connections` setting: hand-edited or hostile entries are skipped (never
 * thrown on), names are trimmed and unique (the first wins), unknown auth kinds become "none".
 * Settings never hold tokens; any extra field (e.g. a pasted "token") is dropped here.
 */
import type { AuthKind, BackendConnection } from './pyroscopeClient';

const AUTH: readonly AuthKind[] = ['none', 'basic', 'bearer'];

/** Valid connections from a settings value (anything else is dropped; first of a duplicate name wins). */
export function parseConnections(raw: unknown): BackendConnection[] {
  if (!Array.isArray(raw)) return [];
  const out: BackendConnection[] = [];
  for (const item of raw) {
    if (!item || typeof item !== 'object') continue;
    const c = item as Record<string, unknown>;
    if (typeof c.name !== 'string' || !c.name.trim() || typeof c.url !== 'string' || !c.url.trim()) continue;
    const name = c.name.trim().slice(0, 100);
    if (out.some((o) => o.name === name)) continue;
    const auth = AUTH.includes(c.auth as AuthKind) ? (c.auth as AuthKind) : 'none';
    out.push({
      name,
      url: c.url.trim(),
      auth,
      user: typeof c.user === 'string' && c.user ? c.user : undefined,
      tenant: typeof c.tenant === 'string' && c.tenant ? c.tenant : undefined,
    });
  }
  return out;
}
