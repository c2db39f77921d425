/**
 * Status bar item: which profile is shown (source, service, sample type, window) and when it was
 * loaded; click → Select Sample Type…. Hidden when nothing is loaded.
 */
import * as vscode from 'vscode';
import { formatAge, formatInteger, formatValue, literalIcons, sampleTypeLabel } from '../../core/format';
import { Commands } from '../contributions';
import { Disposable, DisposableStore } from '../disposable';
import type { InsightsModel } from './insightsModel';

export class ProfileStatusBar extends Disposable {
  private readonly item = this.register(vscode.window.createStatusBarItem('profileLens.status', vscode.StatusBarAlignment.Left, 50));
  /** per-profile resources (the age ticker) */
  private readonly perProfile = this.register(new DisposableStore());

  constructor(private readonly model: InsightsModel) {
    super();
    this.item.name = 'Profile Lens';
    this.item.command = Commands.selectSampleType;
    this.register(model.onDidChange(() => this.update()));
    this.update();
  }

  /** Text shown now (test accessor). */
  get text(): string | undefined {
    return this.model.profile ? this.item.text : undefined;
  }

  private update(): void {
    this.perProfile.clear();
    const p = this.model.profile;
    if (!p) {
      this.item.hide();
      return;
    }
    const timer = setInterval(() => this.render(), 30_000);
    this.perProfile.add({ dispose: () => clearInterval(timer) });
    this.render();
    this.item.show();
  }

  private render(): void {
    const p = this.model.profile;
    if (!p) return;
    const st = p.index.sampleTypes[p.typeIndex];
    const parts = [p.source.label, p.source.service, sampleTypeLabel(st), p.source.window].filter((x): x is string => !!x);
    const visible = this.model.annotationsVisible ? '' : ' (hidden)';
    this.item.text = `$(flame) ${literalIcons(parts.join(' · '))}${visible}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown('**Profile Lens**\n\n');
    md.appendText(`${p.source.detail ?? p.source.label}\n`);
    md.appendMarkdown('\n');
    if (p.source.service) md.appendText(`Service: ${p.source.service}\n`);
    md.appendText(`Sample type: ${st.type} (${st.unit}), total ${formatValue(p.index.totals[p.typeIndex] ?? 0, st.unit)}\n`);
    if (p.source.window) md.appendText(`Window: ${p.source.window}\n`);
    const when = p.source.kind === 'pyroscope' || p.source.kind === 'pprof-url' ? 'last refresh' : 'loaded';
    md.appendText(`${formatInteger(p.index.sampleCount)} samples · ${when} ${formatAge(Date.now() - p.loadedAt)}\n`);
    if (p.source.truncatedShare) md.appendText(`The server merged ${(p.source.truncatedShare * 100).toFixed(1)}% of the total into "other".\n`);
    if (p.index.unresolved.length) md.appendText(`${p.index.unresolved.length} profile paths did not resolve to workspace files.\n`);
    md.appendMarkdown('\n$(arrow-swap) Click to switch the sample type.');
    this.item.tooltip = md;
  }
}
