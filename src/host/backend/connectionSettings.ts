/**
 * Named backend connections in settings (`profileLens.connections`) — never with tokens — and the
 * backend's numeric settings. Hand-edited or hostile entries are skipped, never thrown on.
 */
import * as vscode from 'vscode';
import { parseConnections } from '../../core/backend/parseConnections';
import type { BackendConnection } from '../../core/backend/pyroscopeClient';

export const CONNECTIONS = 'profileLens.connections';
export const REFRESH_INTERVAL = 'profileLens.backend.refreshIntervalSeconds';
export const TIMEOUT = 'profileLens.backend.timeoutSeconds';
export const MAX_RESPONSE_MB = 'profileLens.backend.maxResponseMB';
export const MAX_NODES = 'profileLens.backend.maxNodes';

export interface BackendSettings {
  refreshIntervalMs: number;
  timeoutMs: number;
  maxResponseBytes: number;
  maxNodes: number;
}

export function readConnections(): BackendConnection[] {
  return parseConnections(vscode.workspace.getConfiguration().get<unknown>(CONNECTIONS));
}

/** Adds or replaces a connection in the user's settings, keeping every other entry as it was. */
export async function saveConnection(conn: BackendConnection): Promise<void> {
  const config = vscode.workspace.getConfiguration();
  const inspect = config.inspect<unknown>(CONNECTIONS);
  const current = Array.isArray(inspect?.globalValue) ? [...(inspect!.globalValue as unknown[])] : [];
  const entry: Record<string, string> = { name: conn.name, url: conn.url, auth: conn.auth };
  if (conn.user) entry.user = conn.user;
  if (conn.tenant) entry.tenant = conn.tenant;
  const i = current.findIndex((x) => !!x && typeof x === 'object' && (x as { name?: unknown }).name === conn.name);
  if (i >= 0) current[i] = { ...(current[i] as object), ...entry };
  else current.push(entry);
  await config.update(CONNECTIONS, current, vscode.ConfigurationTarget.Global);
}

function num(config: vscode.WorkspaceConfiguration, key: string, fallback: number, min: number, max: number): number {
  const v = config.get<unknown>(key);
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;
}

export function readBackendSettings(): BackendSettings {
  const config = vscode.workspace.getConfiguration();
  return {
    refreshIntervalMs: num(config, REFRESH_INTERVAL, 60, 5, 86_400) * 1000,
    timeoutMs: num(config, TIMEOUT, 30, 1, 3600) * 1000,
    maxResponseBytes: num(config, MAX_RESPONSE_MB, 256, 1, 4096) * (1 << 20),
    maxNodes: num(config, MAX_NODES, 65536, 0, 1 << 20),
  };
}
