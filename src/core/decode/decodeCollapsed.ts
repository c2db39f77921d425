/**
 * Collapsed ("folded") stacks, one per line, root first: `main;parse;lex 42`. A trailing
 * `name (file:line)` or `file:line` frame form is not interpreted: frames are names only.
 */
import { EngineError } from '../engine';
import { PositionKind, type RawProfile } from '../model';
import { RawProfileBuilder } from './rawProfileBuilder';

const LINE = /^(.*\S)\s+(-?\d+(?:\.\d+)?)$/;

export function looksCollapsed(text: string): boolean {
  const lines = text.split('\n', 20).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  return lines.length > 0 && lines.every((l) => LINE.test(l));
}

export function decodeCollapsed(text: string): RawProfile {
  const b = new RawProfileBuilder('collapsed');
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    if (l === '' || l.startsWith('#')) continue;
    const m = LINE.exec(l);
    if (!m) throw new EngineError('unknown-format', `Collapsed stacks: line ${i + 1} is not "frame;frame;… <count>".`);
    b.beginStack();
    for (const name of m[1].split(';')) {
      if (name === '') continue;
      b.push(b.frame(b.intern(name), 0, 0, 0, 0, PositionKind.None));
    }
    b.sample(b.leaf());
    b.value(Number(m[2]));
  }
  return b.build({ sampleTypes: [{ type: 'samples', unit: 'count' }], defaultType: 0, period: 0, timeNanos: 0, durationNanos: 0 });
}
