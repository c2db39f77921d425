/**
 * Shared helpers for the symbolization tests on the real Node fixtures (test/fixtures/node).
 * The oracle for "which original function starts where" is the TypeScript compiler's own parse of
 * the workload sources — independent of esbuild, tsc's emitter, the source maps and acorn.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { decodeProfile } from '../../../src/core/decode/decodeProfile';
import type { LoadOptions } from '../../../src/core/engine';
import { PositionKind, type RawProfile } from '../../../src/core/model';
import { symbolize, type SymbolizeResult } from '../../../src/core/symbolize/symbolize';

/** The committed fixtures, or a fresh run of the generator (`PL_NODE_FIXTURES=<its --out dir>`). */
export const FIXTURE = process.env.PL_NODE_FIXTURES ? path.resolve(process.env.PL_NODE_FIXTURES) : path.resolve(__dirname, '../../fixtures/node');
export const WS = path.join(FIXTURE, 'workspace');
export const PROFILES = path.join(FIXTURE, 'profiles');
export const DEPLOY = '/tmp/profile-lens-fixture/usr/src/app';

export function loadRaw(name: string): RawProfile {
  return decodeProfile(readFileSync(path.join(PROFILES, name)), { sourceName: name });
}

export function options(extra: Partial<LoadOptions> = {}): LoadOptions {
  return { roots: [WS], pathMappings: [], ...extra };
}

export interface TsFunction {
  name: string;
  /** 1-based line of the parameter list (what V8 reports as the function's position) */
  line: number;
  startLine: number;
  endLine: number;
}

/** Functions of a workload .ts file, from the TypeScript parser. */
export function tsFunctions(file: string): TsFunction[] {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const line = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const out: TsFunction[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && (node as ts.FunctionLikeDeclaration).body) {
      const fn = node as ts.FunctionLikeDeclaration;
      let name = '';
      if (ts.isConstructorDeclaration(fn)) name = (fn.parent as ts.ClassDeclaration).name?.text ?? '';
      else if (fn.name && ts.isIdentifier(fn.name)) name = fn.name.text;
      else if (ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) name = fn.parent.name.text;
      const params = fn.parameters.pos; // just after "(" (or at the single arrow parameter)
      out.push({ name, line: line(params), startLine: line(fn.getStart(sf)), endLine: line(fn.end) });
    }
    if (ts.isClassLike(node)) {
      // V8's synthetic initializer of instance fields (incl. parameter properties), at the class
      const fields = node.members.some((m) => ts.isPropertyDeclaration(m) && !m.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword))
        || node.members.some((m) => ts.isConstructorDeclaration(m) && m.parameters.some((p) => ts.isParameterPropertyDeclaration(p, m)));
      const l = line(node.getStart(sf));
      if (fields) out.push({ name: '<instance_members_initializer>', line: l, startLine: l, endLine: line(node.end) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Self weight (default type) per frame. */
export function selfPerFrame(raw: RawProfile): Float64Array {
  const T = raw.sampleTypes.length;
  const self = new Float64Array(raw.frames.count);
  for (let i = 0; i < raw.samples.count; i++) self[raw.stacks.frame[raw.samples.stack[i]]] += raw.samples.values[i * T + raw.defaultType];
  return self;
}

export function totalOf(raw: RawProfile): number {
  const T = raw.sampleTypes.length;
  let t = 0;
  for (let i = 0; i < raw.samples.count; i++) t += raw.samples.values[i * T + raw.defaultType];
  return t;
}

export interface FnRow { key: string; name: string; file: string; startLine: number; self: number; kind: PositionKind; candidates?: number[] }

/** Self weight per original function `name@src/file.ts:startLine`, for frames resolved into the workspace. */
export function functionsOf(raw: RawProfile, r: SymbolizeResult): Map<string, FnRow> {
  const self = selfPerFrame(raw);
  const out = new Map<string, FnRow>();
  for (let f = 0; f < raw.frames.count; f++) {
    const fid = r.symbols.file[f];
    if (fid < 0) continue;
    const file = path.relative(WS, r.files[fid].path).split(path.sep).join('/');
    if (!file.startsWith('src/')) continue;
    const name = raw.strings[r.symbols.name[f]];
    const key = `${name}@${file}:${r.symbols.startLine[f]}`;
    const row = out.get(key);
    if (row) row.self += self[f];
    else out.set(key, { key, name, file, startLine: r.symbols.startLine[f], self: self[f], kind: r.symbols.kind[f], candidates: r.symbols.candidates.get(f) });
  }
  return out;
}

export async function run(name: string, extra: Partial<LoadOptions> = {}): Promise<{ raw: RawProfile; r: SymbolizeResult }> {
  const raw = loadRaw(name);
  const r = await symbolize(raw, options(extra));
  return { raw, r };
}
