/**
 * LoadOptions for the engine from the user's settings and workspace: workspace folders as roots,
 * `profileLens.pathMappings` (with `${workspaceFolder}` and relative `to` resolved), and the
 * `.pyroscope.yaml` files at the workspace roots.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LoadOptions, PathMapping } from '../core/engine';
import { Settings, readConfig } from './contributions';

const YAML_NAMES = ['.pyroscope.yaml', '.pyroscope.yml'];

export function resolveMappings(raw: unknown, roots: string[]): PathMapping[] {
  if (!Array.isArray(raw)) return [];
  const first = roots[0] ?? '';
  const out: PathMapping[] = [];
  for (const m of raw) {
    if (!m || typeof m !== 'object') continue;
    const { from, to } = m as { from?: unknown; to?: unknown };
    if (typeof from !== 'string' || typeof to !== 'string' || !from || !to) continue;
    let local = to.replace(/\$\{workspaceFolder\}/g, first);
    if (!path.isAbsolute(local) && first) local = path.join(first, local);
    out.push({ from, to: local });
  }
  return out;
}

export async function readLoadOptions(): Promise<LoadOptions> {
  const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  const config = vscode.workspace.getConfiguration();
  const pathMappings = resolveMappings(readConfig(config, Settings.pathMappings), roots);
  const pyroscopeYaml: { dir: string; text: string }[] = [];
  for (const dir of roots) {
    for (const name of YAML_NAMES) {
      try {
        const bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(path.join(dir, name)));
        pyroscopeYaml.push({ dir, text: new TextDecoder().decode(bytes) });
        break;
      } catch {
        // no such file: fine
      }
    }
  }
  return { roots, pathMappings, pyroscopeYaml };
}
