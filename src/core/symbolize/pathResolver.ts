/**
 * Profile paths → local files. Order of precedence (first that yields an existing file wins):
 *   1. explicit prefix rules (LoadOptions.pathMappings), longest matching prefix first;
 *   2. `.pyroscope.yaml` rules: `path[].prefix` (longest first), then `function_name[].prefix`
 *      (the frame's function name selects a local folder, searched by path suffix);
 *   3. the path itself when it exists (absolute, or relative to a root);
 *   4. prefixes learned earlier in this load (from 5);
 *   5. suffix inference: the workspace file sharing the longest trailing run of path segments.
 *      A unique best match teaches the prefix pair (`/usr/src/app` → `<root>`), so later paths
 *      under the same deployment prefix resolve directly; a tie is ambiguous and is NOT guessed
 *      (unless a learned prefix settles it), it is reported with the candidates.
 * The workspace is listed once per resolver (per load), bounded: no node_modules or dot-folders,
 * at most `maxFiles` files.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { PathMapping } from '../engine';
import type { UnresolvedPath } from '../model';
import type { PyroscopeRule } from './pyroscopeYaml';

export interface NormalizedPath {
  /** forward slashes, no scheme; absolute paths start with "/" or a drive "C:/" */
  norm: string;
  absolute: boolean;
  /** runtime internals (node:internal/..., native): never a workspace file */
  internal: boolean;
}

/** Normalizes what profilers and source maps write: file:// URLs, webpack://, Windows paths. */
export function normalizeProfilePath(input: string): NormalizedPath {
  let p = input.trim();
  if (/^node:/.test(p) || /^internal\//.test(p) || p === '[native code]') return { norm: p, absolute: false, internal: true };
  let absolute = false;
  const fileUrl = /^file:\/\/([^/]*)(\/.*)?$/i.exec(p);
  if (fileUrl) {
    let rest = fileUrl[2] ?? '/';
    try {
      rest = decodeURIComponent(rest);
    } catch {
      // keep the raw text when it is not valid percent-encoding
    }
    // file:///C:/x → C:/x ; file://server/share/x → //server/share/x (kept as absolute)
    p = /^\/[A-Za-z]:[/\\]/.test(rest) ? rest.slice(1) : fileUrl[1] ? `//${fileUrl[1]}${rest}` : rest;
  } else {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)\/?(.*)$/i.exec(p);
    if (scheme && !/^[A-Za-z]$/.test(scheme[1])) {
      // webpack://<namespace>/./src/x.ts, vite://, turbopack:// … : a path relative to the project
      p = scheme[3];
    }
  }
  p = p.replace(/\\/g, '/');
  if (/^[A-Za-z]:\//.test(p)) {
    absolute = true;
  } else if (p.startsWith('/')) {
    absolute = true;
  }
  const drive = /^[A-Za-z]:/.exec(p)?.[0].toUpperCase() ?? '';
  const body = drive ? p.slice(2) : p;
  const out: string[] = [];
  for (const seg of body.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
      continue;
    }
    out.push(seg);
  }
  const joined = out.join('/');
  const norm = drive ? `${drive}/${joined}` : absolute ? `/${joined}` : joined;
  return { norm, absolute, internal: false };
}

function segmentsOf(norm: string): string[] {
  return norm.split('/').filter((s) => s !== '' && !/^[A-Za-z]:$/.test(s));
}

/** True when `p` equals `prefix` or continues it at a segment boundary. */
function hasPrefix(p: string, prefix: string): boolean {
  if (prefix === '' || prefix === '/') return true;
  return p === prefix || (p.startsWith(prefix) && (prefix.endsWith('/') || p[prefix.length] === '/'));
}

function stripTrailingSlash(s: string): string {
  return s.length > 1 && s.endsWith('/') ? s.slice(0, -1) : s;
}

export interface Resolution {
  /** absolute local path of an existing file, or undefined */
  local?: string;
  /** how it was found: 'mapping' | 'pyroscope-yaml' | 'as-is' | 'learned' | 'inferred' */
  via?: string;
  /** when unresolved */
  reason?: UnresolvedPath['reason'];
  detail?: string;
}

export interface WorkspaceListing {
  files: number;
  truncated: boolean;
  byBase: Map<string, string[]>;
}

export interface PathResolverOptions {
  roots: string[];
  pathMappings: PathMapping[];
  pyroscopeRules: PyroscopeRule[];
  /** cap on listed workspace files (default 50 000) */
  maxFiles?: number;
  /**
   * Read (stat, list, open) only under the roots and the path-mapping targets unless true: a
   * profile or source map from elsewhere must not make us touch /etc/passwd or ../../..
   * Default: false when roots are given, true without roots (CLI without --root). The extension
   * always passes false.
   */
  readOutsideRoots?: boolean;
}

const SKIP_DIRS = new Set(['node_modules', 'bower_components', '__pycache__']);

export class PathResolver {
  private readonly mappings: { from: string; to: string }[];
  private readonly pathRules: PyroscopeRule[];
  private readonly fnRules: PyroscopeRule[];
  private readonly roots: string[];
  private readonly allowedBases: string[];
  private listing: WorkspaceListing | undefined;
  private readonly listingsByDir = new Map<string, WorkspaceListing>();
  /** learned deployment prefix → local prefix, with the number of paths that taught it */
  readonly learned: { from: string; to: string; votes: number }[] = [];
  private readonly cache = new Map<string, Resolution>();
  private readonly existsCache = new Map<string, boolean>();

  constructor(private readonly opts: PathResolverOptions) {
    this.roots = opts.roots.map((r) => path.resolve(r));
    // roots, the user's path mappings and the .pyroscope.yaml targets (the host ignores the yaml of an untrusted workspace)
    this.allowedBases = [...this.roots, ...opts.pathMappings.map((m) => path.resolve(m.to)), ...opts.pyroscopeRules.flatMap((r) => (r.localPath ? [path.resolve(r.localPath)] : []))];
    this.mappings = opts.pathMappings
      .map((m) => ({ from: stripTrailingSlash(normalizeProfilePath(m.from).norm), to: m.to }))
      .sort((a, b) => b.from.length - a.from.length);
    this.pathRules = opts.pyroscopeRules.filter((r) => r.kind === 'path')
      .map((r) => ({ ...r, prefix: stripTrailingSlash(normalizeProfilePath(r.prefix).norm) }))
      .sort((a, b) => b.prefix.length - a.prefix.length);
    this.fnRules = opts.pyroscopeRules.filter((r) => r.kind === 'function_name').sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** May `p` be read: inside a workspace root or an explicit path-mapping target (after normalisation). */
  isAllowed(p: string): boolean {
    // default: confined when there are roots; a caller with no roots at all (CLI, library) reads as-is
    if (this.opts.readOutsideRoots ?? this.roots.length === 0) return true;
    const abs = path.resolve(p);
    for (const base of this.allowedBases) {
      if (abs === base || abs.startsWith(base.endsWith(path.sep) ? base : base + path.sep)) return true;
    }
    return false;
  }

  isFile(p: string): boolean {
    let v = this.existsCache.get(p);
    if (v === undefined) {
      try {
        v = this.isAllowed(p) && statSync(p).isFile();
      } catch {
        v = false;
      }
      this.existsCache.set(p, v);
    }
    return v;
  }

  /** The bounded workspace listing (built on first use, once). */
  workspace(): WorkspaceListing {
    if (!this.listing) this.listing = this.list(this.roots);
    return this.listing;
  }

  private list(dirs: string[]): WorkspaceListing {
    const max = this.opts.maxFiles ?? 50_000;
    const byBase = new Map<string, string[]>();
    let files = 0;
    let truncated = false;
    const queue = dirs.filter((d) => existsSync(d)).map((d) => ({ dir: d, depth: 0 }));
    while (queue.length && !truncated) {
      const { dir, depth } = queue.shift()!;
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        if (e.isDirectory()) {
          if (!e.name.startsWith('.') && !SKIP_DIRS.has(e.name) && depth < 40) queue.push({ dir: path.join(dir, e.name), depth: depth + 1 });
        } else if (e.isFile()) {
          if (files >= max) {
            truncated = true;
            break;
          }
          files++;
          const list = byBase.get(e.name);
          const full = path.join(dir, e.name);
          if (list) list.push(full);
          else byBase.set(e.name, [full]);
        }
      }
    }
    return { files, truncated, byBase };
  }

  /**
   * Resolves a profile (or source map) path. `functionName` feeds `.pyroscope.yaml`
   * function_name rules. Results are cached per (path, function rule).
   */
  resolve(profilePath: string, functionName = ''): Resolution {
    const fnRule = functionName ? this.fnRules.find((r) => functionName.startsWith(r.prefix)) : undefined;
    const key = fnRule ? `${profilePath}\u0000${fnRule.prefix}` : profilePath;
    let r = this.cache.get(key);
    if (!r) {
      r = this.resolveUncached(profilePath, fnRule);
      this.cache.set(key, r);
    }
    return r;
  }

  /** True when a `.pyroscope.yaml` function_name rule applies to this function name. */
  hasFunctionRule(functionName: string): boolean {
    return this.fnRules.some((r) => functionName.startsWith(r.prefix));
  }

  /** Resolves again, ignoring a cached failure (prefixes learned since may now settle it). */
  retry(profilePath: string, functionName = ''): Resolution {
    const fnRule = functionName ? this.fnRules.find((r) => functionName.startsWith(r.prefix)) : undefined;
    this.cache.delete(fnRule ? `${profilePath}\u0000${fnRule.prefix}` : profilePath);
    return this.resolve(profilePath, functionName);
  }

  private resolveUncached(profilePath: string, fnRule: PyroscopeRule | undefined): Resolution {
    const n = normalizeProfilePath(profilePath);
    if (n.internal) return { reason: 'no-match', detail: 'runtime internal' };
    if (n.norm === '') return { reason: 'no-match', detail: 'empty path' };
    const tried: string[] = [];

    for (const m of this.mappings) {
      if (!hasPrefix(n.norm, m.from)) continue;
      const local = path.join(m.to, n.norm.slice(m.from.length));
      if (this.isFile(local)) return { local, via: 'mapping' };
      tried.push(`path mapping ${m.from} → ${m.to} gives ${local}, which does not exist`);
      break; // longest prefix only; a shorter rule is not a fallback for a longer one
    }
    for (const r of this.pathRules) {
      if (!hasPrefix(n.norm, r.prefix)) continue;
      if (!r.localPath) {
        tried.push(`.pyroscope.yaml rule ${r.prefix} has no source.local.path`);
        break;
      }
      const local = path.join(r.localPath, n.norm.slice(r.prefix.length));
      if (this.isFile(local)) return { local, via: 'pyroscope-yaml' };
      tried.push(`.pyroscope.yaml rule ${r.prefix} → ${r.localPath} gives ${local}, which does not exist`);
      break;
    }
    if (fnRule?.localPath) {
      const found = this.bySuffix(n.norm, this.listingOf(fnRule.localPath), false, [path.resolve(fnRule.localPath)]);
      if (found.local) return { local: found.local, via: 'pyroscope-yaml' };
      tried.push(`.pyroscope.yaml function_name rule ${fnRule.prefix}: ${found.detail}`);
    }
    if (n.absolute) {
      const native = n.norm.replace(/\//g, path.sep);
      if (this.isFile(native)) return { local: path.resolve(native), via: 'as-is' };
    } else {
      for (const root of this.roots) {
        const local = path.join(root, n.norm);
        if (this.isFile(local)) return { local, via: 'as-is' };
      }
    }
    const learned = this.byLearned(n.norm);
    if (learned) return { local: learned, via: 'learned' };
    if (this.roots.length === 0) {
      return { reason: 'not-found', detail: [...tried, 'file does not exist and no workspace folder is open'].join('; ') };
    }
    const inferred = this.bySuffix(n.norm, this.workspace(), true, this.roots);
    if (inferred.local) return { local: inferred.local, via: 'inferred' };
    return {
      reason: tried.length ? 'not-found' : inferred.reason ?? 'no-match',
      detail: [...tried, inferred.detail ?? 'no workspace file matches'].join('; '),
    };
  }

  private listingOf(dir: string): WorkspaceListing {
    let l = this.listingsByDir.get(dir);
    if (!l) {
      l = this.isAllowed(dir) ? this.list([dir]) : { files: 0, truncated: false, byBase: new Map() };
      this.listingsByDir.set(dir, l);
    }
    return l;
  }

  private byLearned(norm: string): string | undefined {
    // longest learned prefix first; among equal prefixes the best supported one
    const order = this.learned.slice().sort((a, b) => b.from.length - a.from.length || b.votes - a.votes);
    for (const l of order) {
      if (!hasPrefix(norm, l.from)) continue;
      const local = path.join(l.to, norm.slice(l.from.length));
      if (this.isFile(local)) return local;
    }
    return undefined;
  }

  private bySuffix(norm: string, listing: WorkspaceListing, learn: boolean, baseDirs: string[]): Resolution {
    const segs = segmentsOf(norm);
    if (segs.length === 0) return { reason: 'no-match', detail: 'empty path' };
    const base = segs[segs.length - 1];
    const candidates = listing.byBase.get(base) ?? [];
    const capNote = listing.truncated ? ` (workspace listing stopped at ${listing.files} files)` : '';
    if (candidates.length === 0) return { reason: 'no-match', detail: `no workspace file is named ${base}${capNote}` };
    let best = 0;
    let bestList: string[] = [];
    for (const c of candidates) {
      const cs = c.split(path.sep).filter((s) => s !== '');
      let k = 0;
      while (k < segs.length && k < cs.length && segs[segs.length - 1 - k] === cs[cs.length - 1 - k]) k++;
      if (k > best) {
        best = k;
        bestList = [c];
      } else if (k === best) {
        bestList.push(c);
      }
    }
    if (bestList.length > 1) {
      const shown = bestList.slice(0, 4).join(', ');
      return {
        reason: 'no-match',
        detail: `ambiguous: ${bestList.length} workspace files end with ${segs.slice(-best).join('/')} (${shown}${bestList.length > 4 ? ', …' : ''}); add a path mapping${capNote}`,
      };
    }
    const local = bestList[0];
    if (best === 1 && !baseDirs.includes(path.dirname(local))) {
      // Only the file name matches and the file is not at a workspace root: too weak to trust
      // (e.g. Go's /usr/local/go/src/fmt/print.go against some cmd/print.go).
      return { reason: 'no-match', detail: `only the file name matches ${local}; add a path mapping${capNote}` };
    }
    if (learn && best < segs.length) {
      const from = (norm.startsWith('/') ? '/' : '') + segs.slice(0, segs.length - best).join('/');
      const prefixFrom = /^[A-Za-z]:\//.test(norm) ? `${norm.slice(0, 2)}${from.startsWith('/') ? '' : '/'}${from}` : from;
      let to = local;
      for (let i = 0; i < best; i++) to = path.dirname(to);
      const existing = this.learned.find((l) => l.from === prefixFrom && l.to === to);
      if (existing) existing.votes++;
      else this.learned.push({ from: prefixFrom, to, votes: 1 });
    }
    return { local };
  }
}
