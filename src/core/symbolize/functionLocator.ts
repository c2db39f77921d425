/**
 * Finds functions in generated JavaScript by the position V8 reports for them, so a frame that
 * carries only a (minified) name and a start line can be pinned to one function: the production
 * case of a minified bundle profiled by @datadog/pprof in its default mode.
 *
 * The file is parsed once with acorn. For each function we record the name V8 would give it
 * (its own name, else the name inferred from `var x =`, `o.x =`, `{x: …}`, a method or class
 * field key; constructors take the class name; getters/setters get "get "/"set ") and its V8
 * start position: the `(` of the parameter list, or the single unparenthesized arrow parameter.
 */
import { parse } from 'acorn';

export interface LocatedFunction {
  /** name as V8 would report it ('' when anonymous) */
  name: string;
  /** offset of the token that carries the name in the generated code (-1 when anonymous) */
  nameOffset: number;
  /** V8's start position (offset), see above */
  pos: number;
  /** 1-based line and 0-based column of `pos` */
  line: number;
  column: number;
  /** full extent of the function node (offsets) and its lines (1-based) */
  start: number;
  end: number;
  startLine: number;
  endLine: number;
}

export class FunctionIndex {
  readonly functions: LocatedFunction[];
  private readonly byLine = new Map<number, LocatedFunction[]>();
  private readonly byPos = new Map<number, LocatedFunction[]>();
  private readonly byName = new Map<string, LocatedFunction[]>();
  private readonly lineStarts: number[];

  constructor(functions: LocatedFunction[], lineStarts: number[]) {
    this.functions = functions.sort((a, b) => a.pos - b.pos);
    this.lineStarts = lineStarts;
    const push = <K>(m: Map<K, LocatedFunction[]>, k: K, f: LocatedFunction) => {
      const list = m.get(k);
      if (list) list.push(f);
      else m.set(k, [f]);
    };
    for (const f of this.functions) {
      push(this.byLine, f.line, f);
      push(this.byPos, f.pos, f);
      push(this.byName, nameKey(f.name), f);
    }
  }

  /** Functions whose V8 start position is on `line`, in column order. */
  startingOn(line: number): LocatedFunction[] {
    return this.byLine.get(line) ?? [];
  }

  /** Functions whose V8 start position is exactly (line, 0-based column). */
  startingAt(line: number, column0: number): LocatedFunction[] {
    return this.byPos.get(this.offsetOf(line, column0)) ?? [];
  }

  /** Functions V8 would report under `profileName` (see sameFunctionName), in position order. */
  named(profileName: string): LocatedFunction[] {
    return (this.byName.get(nameKey(profileName)) ?? []).filter((f) => sameFunctionName(profileName, f.name));
  }

  /** Innermost functions that contain (line, 0-based column), innermost first; optionally only those named so. */
  containing(line: number, column0: number, profileName?: string): LocatedFunction[] {
    const off = this.offsetOf(line, column0);
    if (off < 0) return [];
    const pool = profileName === undefined ? this.functions : this.named(profileName);
    return pool.filter((f) => f.start <= off && off < f.end).sort((a, b) => (a.end - a.start) - (b.end - b.start));
  }

  /** Functions named so whose extent covers any part of `line`, innermost first. */
  spanningLine(line: number, profileName: string): LocatedFunction[] {
    return this.named(profileName).filter((f) => f.startLine <= line && line <= f.endLine).sort((a, b) => (a.end - a.start) - (b.end - b.start));
  }

  /** Offset of (1-based line, 0-based column), -1 when the line does not have that column. */
  offsetOf(line: number, column0: number): number {
    if (line < 1 || line > this.lineStarts.length || column0 < 0) return -1;
    const off = this.lineStarts[line - 1] + column0;
    if (line < this.lineStarts.length && off >= this.lineStarts[line]) return -1;
    return off;
  }

  position(offset: number): { line: number; column: number } {
    let lo = 0, hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo] };
  }
}

function nameKey(name: string): string {
  const stripped = name.replace(/^(?:get|set|async) /, '');
  return stripped.slice(stripped.lastIndexOf('.') + 1);
}

/** V8 names that match a located function's name: "get x", "o.x" and plain forms compare equal. */
export function sameFunctionName(profileName: string, located: string): boolean {
  if (profileName === located) return true;
  const strip = (s: string) => s.replace(/^(?:get|set|async) /, '');
  const a = strip(profileName), b = strip(located);
  if (a === b) return true;
  const lastA = a.slice(a.lastIndexOf('.') + 1), lastB = b.slice(b.lastIndexOf('.') + 1);
  return lastA !== '' && lastA === lastB;
}

/** `(anonymous:L#12:C#34)` (what @datadog/pprof writes) → its 1-based line and column. */
export function parseAnonymousName(name: string): { line: number; column: number } | undefined {
  const m = /^\(anonymous:L#(\d+)(?::C#(\d+))?\)$/.exec(name);
  return m ? { line: Number(m[1]), column: m[2] ? Number(m[2]) : 0 } : undefined;
}

function keyName(key: any, computed: boolean): string {
  if (computed) return '';
  if (key?.type === 'Identifier') return key.name;
  if (key?.type === 'PrivateIdentifier') return `#${key.name}`;
  if (key?.type === 'Literal') return String(key.value);
  return '';
}

function memberName(node: any): string {
  if (node?.type === 'Identifier') return node.name;
  if (node?.type === 'MemberExpression' && !node.computed) {
    const obj = memberName(node.object);
    const prop = keyName(node.property, false);
    return obj ? `${obj}.${prop}` : prop;
  }
  if (node?.type === 'ThisExpression') return 'this';
  return '';
}

/** Parses `code` (script first, then module) and lists its functions; undefined if unparsable. */
export function indexFunctions(code: string): FunctionIndex | undefined {
  let ast: any;
  const base = { ecmaVersion: 'latest' as const, allowHashBang: true, allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true };
  try {
    ast = parse(code, { ...base, sourceType: 'script' });
  } catch {
    try {
      ast = parse(code, { ...base, sourceType: 'module' });
    } catch {
      return undefined;
    }
  }
  const lineStarts = [0];
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === 10) lineStarts.push(i + 1);
    else if (c === 13) {
      if (code.charCodeAt(i + 1) === 10) i++;
      lineStarts.push(i + 1);
    } else if (c === 0x2028 || c === 0x2029) lineStarts.push(i + 1);
  }
  const index = new FunctionIndex([], lineStarts);
  const found: LocatedFunction[] = [];

  const v8Start = (fn: any): number => {
    if (fn.type === 'ArrowFunctionExpression') {
      const p0 = fn.params[0];
      let i = fn.start;
      if (fn.async) i = code.indexOf('async', i) + 5;
      while (i < code.length && /\s/.test(code[i])) i++;
      if (code[i] === '(') return i;
      return p0 ? p0.start : fn.start;
    }
    const from = fn.id ? fn.id.end : fn.start;
    const bodyStart = fn.body?.start ?? code.length;
    const open = code.indexOf('(', from);
    return open >= 0 && open < bodyStart ? open : fn.start;
  };

  const add = (fn: any, name: string, nameNode: any) => {
    const pos = v8Start(fn);
    const p = index.position(pos);
    found.push({
      name, nameOffset: nameNode ? nameNode.start : -1, pos, line: p.line, column: p.column,
      start: fn.start, end: fn.end,
      startLine: index.position(fn.start).line, endLine: index.position(Math.max(fn.start, fn.end - 1)).line,
    });
  };

  // Iterative walk; `hint` is the name (and its node) the parent gives a function child.
  type Item = { node: any; hint: string; hintNode: any; className: string; classNode: any };
  const stack: Item[] = [{ node: ast, hint: '', hintNode: null, className: '', classNode: null }];
  let cls = '', clsNode: any = null;
  function push(child: any, h = '', hn: any = null): void {
    if (child !== null && typeof child === 'object') stack.push({ node: child, hint: h, hintNode: hn, className: cls, classNode: clsNode });
  }
  while (stack.length) {
    const { node, hint, hintNode, className, classNode } = stack.pop()!;
    if (!node || typeof node.type !== 'string') continue;
    const t = node.type;
    if (t === 'Identifier' || t === 'Literal' || t === 'ThisExpression' || t === 'TemplateElement' || t === 'Super' || t === 'PrivateIdentifier') continue;
    const isFn = node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';
    if (isFn) {
      if (node.id) add(node, node.id.name, node.id);
      else add(node, hint, hintNode);
    }
    cls = className;
    clsNode = classNode;
    if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') {
      cls = node.id ? node.id.name : hint;
      clsNode = node.id ?? hintNode;
      // V8 runs class fields in synthetic functions positioned at the class itself.
      const members: any[] = node.body?.body ?? [];
      for (const [name, isStatic] of [['<instance_members_initializer>', false], ['<static_initializer>', true]] as const) {
        if (members.some((m) => (m.type === 'PropertyDefinition' && m.static === isStatic) || (isStatic && m.type === 'StaticBlock'))) {
          const p = index.position(node.start);
          found.push({
            name, nameOffset: -1, pos: node.start, line: p.line, column: p.column, start: node.start, end: node.end,
            startLine: p.line, endLine: index.position(Math.max(node.start, node.end - 1)).line,
          });
        }
      }
    }
    switch (node.type) {
      case 'VariableDeclarator':
        push(node.id);
        push(node.init, node.id?.type === 'Identifier' ? node.id.name : '', node.id?.type === 'Identifier' ? node.id : null);
        continue;
      case 'AssignmentExpression':
        push(node.left);
        push(node.right, memberName(node.left), node.left?.type === 'MemberExpression' ? node.left.property : node.left);
        continue;
      case 'AssignmentPattern':
        push(node.left);
        push(node.right, node.left?.type === 'Identifier' ? node.left.name : '', node.left);
        continue;
      case 'MethodDefinition': {
        const k = keyName(node.key, node.computed);
        const name = node.kind === 'constructor' ? cls : node.kind === 'get' || node.kind === 'set' ? `${node.kind} ${k}` : k;
        push(node.key);
        push(node.value, name, node.kind === 'constructor' ? clsNode : node.key);
        continue;
      }
      case 'PropertyDefinition':
        push(node.key);
        push(node.value, keyName(node.key, node.computed), node.key);
        continue;
      case 'Property': {
        const k = keyName(node.key, node.computed);
        push(node.key);
        push(node.value, node.kind === 'get' || node.kind === 'set' ? `${node.kind} ${k}` : k, node.key);
        continue;
      }
      default:
        break;
    }
    for (const key in node) {
      if (key === 'type' || key === 'start' || key === 'end' || key === 'loc') continue;
      const v = node[key];
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) push(v[i]);
      } else if (v && typeof v === 'object' && typeof v.type === 'string') {
        push(v);
      }
    }
  }
  return new FunctionIndex(found, lineStarts);
}

/**
 * Parsed function indexes survive across loads (the worker lives as long as the extension): a
 * refreshed profile of the same deployed bundle does not parse it again. Keyed by path, size and
 * mtime; a few entries, least recently used evicted. Holds positions only, not the source text.
 */
const cache = new Map<string, FunctionIndex | null>();
const CACHE_ENTRIES = 8;

export function cachedFunctionIndex(key: string, code: () => string | undefined): FunctionIndex | null {
  if (cache.has(key)) {
    const v = cache.get(key)!;
    cache.delete(key);
    cache.set(key, v);
    return v;
  }
  const text = code();
  const v = text === undefined ? null : indexFunctions(text) ?? null;
  cache.set(key, v);
  while (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  return v;
}
