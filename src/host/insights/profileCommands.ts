/**
 * The palette commands of the insights: Open Profile File…, Select Sample Type…, Toggle
 * Annotations, Clear Profile, Show Unresolved Paths, plus the internal Open Source Location used by
 * hover and hotspot links (its arguments come from markdown, so they are validated).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EngineError } from '../../core/engine';
import { formatPercent, formatValue } from '../../core/format';
import type { PathMapping } from '../../core/engine';
import { Commands, Settings, registerCommand, type OpenLocationArgs } from '../contributions';
import { readLimits } from '../loadOptions';
import { lineStart } from '../positions';
import type { ProfileSession, ProfileSource } from '../profileSession';
import type { InsightsModel } from './insightsModel';

/** `superseded`: a newer request (open, load, clear) came first; this one was dropped, not an error. */
export type OpenResult = { ok: true; file: string; superseded?: boolean } | { ok: false; file: string; error: string };

const PROFILE_FILTERS = {
  'Profiles (pprof, V8, collapsed)': ['gz', 'pb', 'pprof', 'prof', 'cpuprofile', 'heapprofile', 'json', 'txt', 'folded', 'collapsed'],
  'All files': ['*'],
};

/** Message for a failed load: names the file and the engine's reason (never a stack). */
export function loadErrorMessage(file: string, e: unknown, keptPrevious: boolean): string {
  const kept = keptPrevious ? ' The previous view is kept.' : '';
  const msg = (e instanceof Error ? e.message : String(e)).replace(/^Error: /, '').replace(/[.\s]+$/, '');
  if (e instanceof EngineError || (e instanceof Error && e.name === 'EngineError')) {
    return `Profile Lens could not open ${file}: ${msg} [${(e as EngineError).code}].${kept}`;
  }
  return `Profile Lens could not open ${file}: ${msg}.${kept}`;
}

/** Reads and loads a profile file; on failure shows the error and keeps the last good profile. */
export async function openProfileFile(session: ProfileSession, uri: vscode.Uri, kind: ProfileSource['kind'] = 'file'): Promise<OpenResult> {
  const name = path.basename(uri.path);
  const source: ProfileSource = { kind, label: name, detail: uri.scheme === 'file' ? uri.fsPath : uri.toString(), uri: uri.toString() };
  // Reads finish in any order: only the last profile asked for gets loaded. From now on a background
  // refresh (a followed query) cannot replace what the user asked for, whenever it finishes.
  const stillLatest = session.reserve(source);
  try {
    // the size cap before reading: a huge file must not be read into the extension host at all
    const maxBytes = readLimits(vscode.workspace.getConfiguration()).maxProfileBytes!;
    const size = (await vscode.workspace.fs.stat(uri)).size;
    if (size > maxBytes) {
      const mb = (n: number) => `${(n / 1048576).toFixed(n < 1048576 ? 3 : 0)} MB`;
      throw new EngineError('too-large', `"${name}" is ${mb(size)}, over the cap of ${mb(maxBytes)} (setting ${Settings.limitMaxProfileMB}); refused, nothing was loaded`);
    }
    const bytes = await vscode.workspace.fs.readFile(uri);
    if (!stillLatest()) return { ok: true, file: name, superseded: true };
    const loaded = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Profile Lens: loading ${name}` },
      () => session.load(bytes, source, { reservation: stillLatest }),
    );
    return loaded ? { ok: true, file: name } : { ok: true, file: name, superseded: true };
  } catch (e) {
    const error = loadErrorMessage(name, e, session.current !== undefined);
    void vscode.window.showErrorMessage(error);
    return { ok: false, file: name, error };
  } finally {
    stillLatest.release();
  }
}

function isPathMapping(m: unknown): m is PathMapping {
  if (!m || typeof m !== 'object') return false;
  const { from, to } = m as Record<string, unknown>;
  return typeof from === 'string' && typeof to === 'string' && from.trim() !== '' && to.trim() !== '';
}

function isOpenLocationArgs(a: unknown): a is OpenLocationArgs {
  if (!a || typeof a !== 'object') return false;
  const o = a as Record<string, unknown>;
  return [o.profile, o.file, o.line].every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0) && (o.line as number) >= 1;
}

export function registerProfileCommands(session: ProfileSession, model: InsightsModel): vscode.Disposable[] {
  const c = vscode.commands;
  return [
    registerCommand(c, Commands.openProfile, async (uri) => {
      let target = uri instanceof vscode.Uri ? uri : undefined;
      if (!target) {
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: false,
          openLabel: 'Open Profile',
          title: 'Open a profile (pprof .pb.gz, V8 .cpuprofile/.heapprofile, collapsed stacks)',
          filters: PROFILE_FILTERS,
          defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
        });
        target = picked?.[0];
      }
      if (!target) return undefined;
      return openProfileFile(session, target);
    }),

    registerCommand(c, Commands.selectSampleType, async (type) => {
      const p = session.current;
      if (!p) return;
      if (typeof type === 'string') {
        const i = p.index.sampleTypes.findIndex((t) => t.type === type);
        if (i >= 0) session.selectType(i);
        else void vscode.window.showWarningMessage(`Profile Lens: ${p.source.label} has no sample type "${type}".`);
        return;
      }
      const items = p.index.sampleTypes.map((t, i) => ({
        label: t.type,
        description: `${t.unit} · total ${formatValue(p.index.totals[i] ?? 0, t.unit)}`,
        picked: i === p.typeIndex,
        detail: i === p.typeIndex ? 'shown now' : undefined,
        i,
      }));
      const pick = await vscode.window.showQuickPick(items, { title: 'Profile Lens: sample type to show', placeHolder: 'Sample type' });
      if (pick) session.selectType(pick.i);
    }),

    registerCommand(c, Commands.toggleAnnotations, () => model.setVisible(!model.annotationsVisible)),

    registerCommand(c, Commands.clearProfile, () => session.clear()),

    registerCommand(c, Commands.showUnresolvedPaths, async (mapping) => {
      if (mapping === undefined) return showUnresolvedPaths(session);
      if (!isPathMapping(mapping)) return;
      await addPathMapping(mapping);
      await session.reload();
    }),

    registerCommand(c, Commands.openLocation, async (args) => {
      if (!isOpenLocationArgs(args)) return;
      if (session.current?.id !== args.profile) {
        void vscode.window.showInformationMessage('Profile Lens: that link belongs to a profile that is no longer loaded.');
        return;
      }
      const uri = model.uriOf(args.file);
      if (!uri) return;
      const doc = await vscode.workspace.openTextDocument(uri);
      const line = Math.min(doc.lineCount, Math.max(1, model.currentLine(uri, args.file, args.line) || args.line));
      const pos = lineStart(line);
      await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), preview: true });
    }),
  ];
}

/** The engine's report of profile paths that did not resolve, with a quick way to map one. */
async function showUnresolvedPaths(session: ProfileSession): Promise<void> {
  const p = session.current;
  if (!p) return;
  const list = [...p.index.unresolved].sort((a, b) => b.selfWeight - a.selfWeight);
  if (list.length === 0) {
    void vscode.window.showInformationMessage(`Profile Lens: every path in ${p.source.label} resolved to a workspace file.`);
    return;
  }
  const reasons: Record<string, string> = {
    'no-match': 'no workspace file matches',
    'outside-root': 'outside the workspace',
    'missing-source-map': 'source map missing',
    'source-map-error': 'source map unreadable',
    'not-found': 'file not found',
  };
  const pick = await vscode.window.showQuickPick(
    list.map((u) => ({
      label: u.profilePath,
      description: `${formatPercent(u.selfWeight)} self · ${reasons[u.reason] ?? u.reason}`,
      detail: u.detail,
      u,
    })),
    { title: `Profile Lens: ${list.length} unresolved paths in ${p.source.label} — pick one to add a path mapping`, matchOnDescription: true, matchOnDetail: true },
  );
  if (!pick) return;
  const dir = pick.u.profilePath.includes('/') ? pick.u.profilePath.slice(0, pick.u.profilePath.lastIndexOf('/')) : pick.u.profilePath;
  const from = await vscode.window.showInputBox({
    title: 'Path mapping: prefix as written in the profile',
    value: dir,
    prompt: 'Every profile path starting with this prefix is looked up under the local folder you choose next.',
    validateInput: (v) => (v.trim() ? undefined : 'The prefix cannot be empty.'),
  });
  if (!from) return;
  const folder = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    openLabel: 'Map to This Folder',
    title: `Local folder for ${from}`,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  if (!folder?.[0]) return;
  await addPathMapping({ from: from.trim(), to: folder[0].fsPath });
  await session.reload();
}

/** Appends a mapping to the workspace's `profileLens.pathMappings`, keeping the user's other entries. */
export async function addPathMapping(mapping: PathMapping): Promise<void> {
  const config = vscode.workspace.getConfiguration();
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  const inspected = config.inspect<unknown>(Settings.pathMappings);
  const current = target === vscode.ConfigurationTarget.Workspace ? inspected?.workspaceValue : inspected?.globalValue;
  const list = Array.isArray(current) ? current.filter((m) => !(m && m.from === mapping.from)) : [];
  await config.update(Settings.pathMappings, [...list, mapping], target);
}
