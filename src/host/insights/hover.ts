/**
 * Hover on a hot line or an annotated function: self/total per sample type with units, sample
 * counts, top callers/callees (links to their source), a flame-graph link, and warnings when the
 * position is approximate or the file changed since the profile was taken.
 *
 * While a Correlate selection is shown (the profile of one span or trace) the hover opens with it:
 * what is selected, its share of the whole profile, that the percentages are of the selection only,
 * and a Show Whole Profile link.
 *
 * The markdown is trusted for three of our own commands only (`enabledCommands`), and every
 * profile string in it is escaped (core/insights/hoverMarkdown.ts).
 */
import * as vscode from 'vscode';
import { buildCompareHover } from '../../core/compare/compareHover';
import { buildHoverMarkdown, escapeMarkdown } from '../../core/insights/hoverMarkdown';
import type { SelectionInfo } from '../../shared/protocol';
import { selectionNoun, selectionSource, selectionTitle } from '../../shared/selectionText';
import { selectionAmount, summarizeSelection } from '../correlate/selectionSummary';
import { Commands, commandLink } from '../contributions';
import { Disposable } from '../disposable';
import { toLine1 } from '../positions';
import type { InsightsModel } from './insightsModel';

export class CostHoverProvider extends Disposable implements vscode.HoverProvider {
  constructor(private readonly model: InsightsModel) {
    super();
  }

  /** The hover markdown at a position (also used by tests), undefined when nothing to say. */
  markdownAt(doc: vscode.TextDocument, position: vscode.Position): string | undefined {
    const m = this.model;
    const profile = m.profile;
    const view = m.view;
    const options = m.options;
    if (!profile || !view || !options || !m.annotationsVisible || !m.display.hover) return undefined;
    const file = m.fileOf(doc.uri);
    const insights = m.insightsFor(file);
    if (!insights) return undefined;
    const line = m.originalLine(doc.uri, file, toLine1(position));
    if (line <= 0) return undefined;
    const annotated = insights.lines.find((l) => l.line === line);
    const fnHere = insights.functions.find((f) => f.line === line);
    if (!annotated && !fnHere) return undefined;
    const row = annotated ? annotated.row : view.lineRow(file, line);
    const fn = fnHere ? fnHere.fn : view.functionAt(file, line);
    const types = [options.typeIndex, ...options.extraTypes.filter((t) => t !== options.typeIndex)];
    const id = profile.id;
    const md = buildHoverMarkdown(
      view,
      { file, line, row, fn, types, stale: m.isStale(file), edited: m.isEdited(doc.uri) },
      {
        flameGraph: (f) => commandLink(Commands.showFlameGraph, { functionId: f }),
        openFunction: (f) => {
          const ff = profile.index.functions.file[f];
          const fl = profile.index.functions.startLine[f];
          return ff >= 0 && fl > 0 ? commandLink(Commands.openLocation, { profile: id, file: ff, line: fl }) : undefined;
        },
      },
    );
    // while comparing: a "vs baseline" section first (src/host/compare), then the usual hover
    const cmp = m.comparison;
    const vs = cmp ? buildCompareHover(cmp, m.baselineLabel ?? 'baseline', cmp.files.get(file)?.get(line), fn >= 0 ? cmp.byFunction.get(fn) : undefined) : undefined;
    if (vs) return `${vs}\n\n---\n\n${md}`;
    // a Correlate selection: said first, so no number below reads as the whole profile's
    const sel = summarizeSelection(profile, options.typeIndex);
    return sel ? `${selectionHeader(sel)}\n\n---\n\n${md}` : md;
  }

  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const md = this.markdownAt(doc, position);
    if (!md) return undefined;
    const content = new vscode.MarkdownString(md, true);
    content.isTrusted = { enabledCommands: [Commands.openLocation, Commands.showFlameGraph, Commands.showWholeProfile] };
    content.supportHtml = false;
    return new vscode.Hover(content, doc.lineAt(position.line).range);
  }
}

/** The hover's first lines while a selection is shown (every profile string escaped). */
export function selectionHeader(s: SelectionInfo): string {
  const noun = selectionNoun(s);
  return [
    `$(filter) **Profile of ${escapeMarkdown(selectionTitle(s))} only** · [$(close) Show Whole Profile](${commandLink(Commands.showWholeProfile)})`,
    '',
    `${escapeMarkdown(selectionAmount(s))} (${escapeMarkdown(s.wholeLabel)}: ${escapeMarkdown(selectionSource(s))}).`,
    `Percentages below are shares of this ${noun}'s total, not of the whole profile's.`,
  ].join('\n');
}
