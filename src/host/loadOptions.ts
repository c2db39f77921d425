/**
 * LoadOptions for the engine from the user's settings and workspace: workspace folders as roots,
 * `profileLens.pathMappings` (with `${workspaceFolder}` and relative `to` resolved), and the
 * `.pyroscope.yaml` files at the workspace roots.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LoadOptions } from '../core/engine';
import { resolvePathMappingSetting } from '../core/insights/pathMappingSetting';
import { Settings, readConfig } from './contributions';

const YAML_NAMES = ['.pyroscope.yaml', '.pyroscope.yml'];

export async function readLoadOptions(): Promise<LoadOptions> {
  const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  const config = vscode.workspace.getConfiguration();
  const pathMappings = resolvePathMappingSetting(readConfig(config, Settings.pathMappings), roots);
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
