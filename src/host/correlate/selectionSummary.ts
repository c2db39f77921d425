/**
 * What every view says about an active Correlate selection (the profile of one span or trace): its
 * label, the span names its samples carry, how many samples it holds and what share of the whole
 * profile they are. Built from totals the indexes already hold (O(sample types)); the span names are
 * read once per selection from the selection's own samples (`Engine.labels` on the selection, which
 * is small) and cached with it. No `vscode` here: the hover, the status bar and the flame graph use it.
 */
import type { Engine } from '../../core/engine';
import { formatInteger, formatPercent, formatValue } from '../../core/format';
import { takenSamples } from '../../core/index/selectSamples';
import type { SelectionInfo } from '../../shared/protocol';
import type { LoadedProfile } from '../profileSession';

/** Label keys whose values name what the selected samples did (OpenTelemetry / Pyroscope conventions). */
const NAME_KEYS = ['span_name', 'endpoint', 'http.route', 'route'];
/** span names listed at most (a trace may hold many spans) */
const MAX_NAMES = 3;

/**
 * The selection shown in `p`, for the sample type `typeIndex` of `p` (default: the one shown), or
 * undefined when `p` is the whole profile. `names` are the span names (see `selectionNames`).
 */
export function summarizeSelection(p: LoadedProfile | undefined, typeIndex = p?.typeIndex ?? 0, names = knownSelectionNames(p)): SelectionInfo | undefined {
  const sel = p?.selection;
  if (!p || !sel) return undefined;
  const st = p.index.sampleTypes[typeIndex];
  const whole = sel.whole;
  const wt = st ? whole.index.sampleTypes.findIndex((t) => t.type === st.type && t.unit === st.unit) : -1;
  const value = p.index.totals[typeIndex] ?? 0;
  const wholeTotal = wt >= 0 ? whole.index.totals[wt] ?? 0 : 0;
  const info: SelectionInfo = {
    label: sel.label,
    condition: sel.selection.labels.map((m) => `${m.key} = ${m.values.join(' or ')}`).join(' and '),
    samples: takenSamples(p.index),
    value,
    sampleType: st ?? { type: 'samples', unit: 'count' },
    wholeLabel: whole.source.label,
  };
  // a server span profile and the whole one are two queries: their ratio is a share only when it can be one
  if (wholeTotal > 0 && value <= wholeTotal) info.wholeShare = value / wholeTotal;
  if (names?.names.length) {
    info.names = [...names.names];
    if (names.more) info.moreNames = names.more;
  }
  if (sel.fromServer) info.fromServer = true;
  return info;
}

/** "67 samples · 670 ms of cpu · 25.7% of the whole profile's cpu" — what the selection holds. */
export function selectionAmount(s: SelectionInfo): string {
  const parts = [`${formatInteger(s.samples)} sample${s.samples === 1 ? '' : 's'}`];
  if (s.sampleType.unit !== 'count') parts.push(`${formatValue(s.value, s.sampleType.unit)} of ${s.sampleType.type}`);
  if (s.wholeShare !== undefined) parts.push(`${formatPercent(s.wholeShare)} of the whole profile's ${s.sampleType.type}`);
  return parts.join(' · ');
}

interface SelectionNames {
  names: string[];
  /** distinct names beyond `names` */
  more: number;
}

const namesCache = new WeakMap<LoadedProfile, { known?: SelectionNames; pending: Promise<SelectionNames> }>();

/** The span names of the selection shown in `p`, when already read (undefined: not yet, or `p` is whole). */
export function knownSelectionNames(p: LoadedProfile | undefined): SelectionNames | undefined {
  return p?.selection ? namesCache.get(p)?.known : undefined;
}

/**
 * Reads (once per selection) the span names the selection's own samples carry: the heaviest values of
 * the first name key present that the selection is not made of (span_name, endpoint, …). None when
 * there are none (a server span profile carries no labels) or the engine failed; never throws.
 */
export function selectionNames(engine: Engine, p: LoadedProfile): Promise<SelectionNames> {
  const none: SelectionNames = { names: [], more: 0 };
  if (!p.selection) return Promise.resolve(none);
  const cached = namesCache.get(p);
  if (cached) return cached.pending;
  const entry: { known?: SelectionNames; pending: Promise<SelectionNames> } = { pending: Promise.resolve(none) };
  const selected = new Set(p.selection.selection.labels.map((m) => m.key));
  entry.pending = engine
    .labels(p.id, { maxValues: MAX_NAMES, typeIndex: p.typeIndex })
    .then((keys) => {
      const key = NAME_KEYS.filter((k) => !selected.has(k)).map((k) => keys.find((s) => s.key === k)).find((s) => s !== undefined);
      const names = key ? key.top.map((v) => v.value).filter((v) => v !== '').slice(0, MAX_NAMES) : [];
      return { names, more: key ? Math.max(0, key.distinct - names.length) : 0 };
    })
    .catch(() => none)
    .then((known) => (entry.known = known));
  namesCache.set(p, entry);
  return entry.pending;
}
