/**
 * Backend tokens in VS Code SecretStorage, bound to a connection name AND the origin
 * (scheme://host:port) they were entered for. A token is only handed out for the origin it was
 * stored under; when a connection's URL moves to another origin (e.g. a workspace setting changed
 * it), the user is asked before the token is sent there. The origins that hold a token are indexed
 * in globalState (origins are not secret); token values never leave SecretStorage except into the
 * Authorization header of a request to their own origin.
 */
import type * as vscode from 'vscode';
import { originOf } from '../../core/backend/backendError';
import type { BackendConnection } from '../../core/backend/pyroscopeClient';

const INDEX_KEY = 'profileLens.tokenOrigins';

export type TokenLookup =
  | { kind: 'found'; token: string }
  | { kind: 'none' }
  /** a token exists for this connection, but for other origins: ask before sending it here */
  | { kind: 'other-origin'; origins: string[] };

export class TokenStore {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly globalState: vscode.Memento,
  ) {}

  static key(connection: string, origin: string): string {
    return `profileLens.backendToken/${encodeURIComponent(connection)}/${origin}`;
  }

  private index(): Record<string, string[]> {
    const v = this.globalState.get<unknown>(INDEX_KEY);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string[]>) : {};
  }

  private async setIndex(name: string, origins: string[]): Promise<void> {
    const idx = { ...this.index() };
    if (origins.length) idx[name] = origins;
    else delete idx[name];
    await this.globalState.update(INDEX_KEY, idx);
  }

  async lookup(conn: BackendConnection): Promise<TokenLookup> {
    let origin: string;
    try {
      origin = originOf(conn.url);
    } catch {
      return { kind: 'none' };
    }
    const token = await this.secrets.get(TokenStore.key(conn.name, origin));
    if (token) return { kind: 'found', token };
    const others = (this.index()[conn.name] ?? []).filter((o) => o !== origin);
    return others.length ? { kind: 'other-origin', origins: others } : { kind: 'none' };
  }

  async store(conn: BackendConnection, token: string): Promise<void> {
    const origin = originOf(conn.url);
    await this.secrets.store(TokenStore.key(conn.name, origin), token);
    const origins = new Set(this.index()[conn.name] ?? []);
    origins.add(origin);
    await this.setIndex(conn.name, [...origins]);
  }

  /** Copies the token of `fromOrigin` to the connection's current origin (after the user agreed). */
  async moveTo(conn: BackendConnection, fromOrigin: string): Promise<string | undefined> {
    const token = await this.secrets.get(TokenStore.key(conn.name, fromOrigin));
    if (!token) return undefined;
    await this.store(conn, token);
    return token;
  }

  async delete(conn: BackendConnection): Promise<void> {
    for (const o of this.index()[conn.name] ?? []) await this.secrets.delete(TokenStore.key(conn.name, o));
    await this.setIndex(conn.name, []);
  }
}
