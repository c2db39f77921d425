/**
 * LoadOptions for the engine from the user's settings and workspace: workspace folders as roots,
 * `profileLens.pathMappings` (with `${workspaceFolder}` and relative `to` resolved), and the
 * `.pyroscope.yaml` files at the workspace roots.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LoadOptions } from '../core/engine';
import { resolvePathMappingSetting } from '../core/insights/pathMappingSetting';
import { SettingDefaults, Settings, readConfig } from './contributions';

const YAML_NAMES = ['.pyroscope.yaml', '.pyroscope.yml'];

export async function readLoadOptions(): Promise<LoadOptions> {
  const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  const config = vscode.workspace.getConfiguration();
  const pathMappings = resolvePathMappingSetting(readConfig(config, Settings.pathMappings), roots);
  const pyroscopeYaml: { dir: string; text: string }[] = [];
  // A .pyroscope.yaml can point reads anywhere (source.local.path): an untrusted workspace's is ignored.
  for (const dir of vscode.workspace.isTrusted ? roots : []) {
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
  return { roots, pathMappings, pyroscopeYaml, ...readLimits(config), readOutsideRoots: false };
}

const MB = 1024 * 1024;

/** The resource caps (profileLens.limits.*) as LoadOptions, each naming its setting for messages. */
export function readLimits(config: vscode.WorkspaceConfiguration): Partial<LoadOptions> {
  const positive = (key: keyof typeof limitKeys) => {
    const v = readConfig(config, limitKeys[key]);
    return Number.isFinite(v) && v > 0 ? v : SettingDefaults[limitKeys[key]];
  };
  return {
    maxProfileBytes: Math.round(positive('maxProfileBytes') * MB),
    maxInflatedBytes: Math.round(positive('maxInflatedBytes') * MB),
    maxSamples: Math.floor(positive('maxSamples')),
    maxLocations: Math.floor(positive('maxLocations')),
    maxStrings: Math.floor(positive('maxStrings')),
    maxSourceMapBytes: Math.round(positive('maxSourceMapBytes') * MB),
    limitSettings: { ...limitKeys },
  };
}

const limitKeys = {
  maxProfileBytes: Settings.limitMaxProfileMB,
  maxInflatedBytes: Settings.limitMaxInflatedMB,
  maxSamples: Settings.limitMaxSamples,
  maxLocations: Settings.limitMaxLocations,
  maxStrings: Settings.limitMaxStrings,
  maxSourceMapBytes: Settings.limitMaxSourceMapMB,
} as const;
