/**
 * The Hotspots tree: top functions and top lines (by self cost of the selected sample type),
 * grouped by file; click → source. Built once per profile/type change, from the index.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatPercent, formatValue, sampleTypeLabel } from '../../core/format';
import { Commands, Settings, readConfig, type OpenLocationArgs } from '../contributions';
import { Disposable } from '../disposable';
import { computeHotspots, type HotspotGroup } from '../../core/insights/hotspots';
import type { InsightsModel } from './insightsModel';
import { changesSection } from '../compare/changesSection';

export type HotspotNode =
  | { kind: 'section'; id: 'functions' | 'lines' | 'changes'; label: string; children: HotspotNode[] }
  | { kind: 'file'; id: string; label: string; description: string; uri?: vscode.Uri; children: HotspotNode[] }
  | { kind: 'item'; id: string; label: string; description: string; tooltip: string; target?: OpenLocationArgs; uri?: vscode.Uri };

export class HotspotsView extends Disposable implements vscode.TreeDataProvider<HotspotNode> {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<HotspotNode | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private roots: HotspotNode[] = [];

  constructor(private readonly model: InsightsModel) {
    super();
    this.register(model.onDidChange(() => this.rebuild()));
    this.rebuild();
  }

  /** Current tree (test accessor and getChildren). */
  get tree(): HotspotNode[] {
    return this.roots;
  }

  getChildren(node?: HotspotNode): HotspotNode[] {
    if (!node) return this.roots;
    return node.kind === 'item' ? [] : node.children;
  }

  getTreeItem(node: HotspotNode): vscode.TreeItem {
    if (node.kind === 'section') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `section:${node.id}`;
      return item;
    }
    if (node.kind === 'file') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = node.id;
      item.description = node.description;
      item.resourceUri = node.uri;
      item.iconPath = vscode.ThemeIcon.File;
      return item;
    }
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.iconPath = new vscode.ThemeIcon(node.id.startsWith('fn:') ? 'symbol-function' : 'flame');
    if (node.target) item.command = { command: Commands.openLocation, title: 'Open', arguments: [node.target] };
    return item;
  }

  private rebuild(): void {
    this.roots = this.compute();
    this.changeEmitter.fire(undefined);
  }

  private compute(): HotspotNode[] {
    const m = this.model;
    const profile = m.profile;
    const view = m.view;
    const o = m.options;
    if (!profile || !view || !o) return [];
    const { index } = profile;
    const t = o.typeIndex;
    const max = Math.max(1, Math.min(500, readConfig(vscode.workspace.getConfiguration(), Settings.hotspotsMaxItems)));
    const st = index.sampleTypes[t];
    const hot = computeHotspots(view, t, max);
    const unit = sampleTypeLabel(st);
    const group = (section: 'functions' | 'lines', groups: HotspotGroup[]): HotspotNode[] =>
      groups.map(({ file, self, entries }) => {
        const rf = index.files[file];
        const label = rf ? path.basename(rf.path) : '(not in the workspace)';
        const uri = rf ? m.uriOf(file) : undefined;
        return {
          kind: 'file',
          id: `${section}:file:${file}`,
          label,
          description: `${formatPercent(view.share(self, t))} ${unit}${rf ? ` · ${vscode.workspace.asRelativePath(rf.path)}${rf.onDisk ? '' : ' (from source map)'}` : ''}`,
          uri,
          children: entries.map((e): HotspotNode => ({
            kind: 'item',
            id: `${section === 'functions' ? 'fn' : 'line'}:${e.id}`,
            label: e.label,
            description: `${formatPercent(view.share(e.self, t))} self · ${formatPercent(view.share(e.total, t))} total${section === 'functions' && e.line > 0 ? ` · line ${e.line}` : ''}`,
            tooltip: `${e.label}\nself ${formatValue(e.self, st.unit)} (${formatPercent(view.share(e.self, t))}), total ${formatValue(e.total, st.unit)} (${formatPercent(view.share(e.total, t))}) of ${st.type}`,
            target: rf && e.line > 0 ? { profile: profile.id, file, line: e.line } : undefined,
            uri,
          })),
        };
      });
    // while comparing (src/host/compare): the biggest changes first
    const changes = m.comparison ? [changesSection(m.comparison, m.baselineLabel ?? 'baseline', profile.id, max)] : [];
    return [
      ...changes,
      { kind: 'section', id: 'functions', label: `Top functions (self ${st.type})`, children: group('functions', hot.functions) },
      { kind: 'section', id: 'lines', label: `Top lines (self ${st.type})`, children: group('lines', hot.lines) },
    ];
  }
}
