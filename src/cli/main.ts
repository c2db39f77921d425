/**
 * `profile-lens` — the engine for terminals and CI.
 *
 *   profile-lens lines <profile> [--type <t>] [--root <dir>] [--path-map <from>=<to>]... [--top <n>] [--json]
 *   profile-lens functions <profile> [same options]
 *   … --label span_id=<id> [--label k=v]...   only the samples with these labels (Correlate)
 *
 * Rows are sorted by self, descending. Errors go to stderr with a non-zero exit code
 * (1: the profile could not be read; 2: bad usage).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { EngineError, type LabelMatch, type PathMapping } from '../core/engine';
import { describeSelection, normalizeSelection, parseLabelMatch, takenSamples } from '../core/index/selectSamples';
import { createInProcessEngine } from '../core/inProcessEngine';
import { profileRows, type RowKind } from './profileRows';
import { formatTable } from './formatTable';

const USAGE = `usage: profile-lens <lines|functions> <profile> [options]

Per-line or per-function cost of a profile (pprof .pb.gz/.pb, V8 .cpuprofile/.heapprofile,
collapsed stacks), mapped onto your source files.

options:
  --type <name>          sample type to report (e.g. cpu, alloc_space); default: the profile's default
  --root <dir>           workspace root: files under it are printed relative to it; paths are inferred against it
  --path-map <from>=<to> map a profile path prefix to a local one (repeatable; longest prefix wins)
  --label <key>=<value>  only samples carrying this label, e.g. span_id=00f067aa0ba902b7 or trace_id=…;
                         repeatable: different keys must all match, values of one key are alternatives
                         (also key=<v1>|<v2>)
  --top <n>              only the first n rows
  --json                 machine-readable output
  -h, --help             this help`;

class UsageError extends Error {}

interface Args {
  command: RowKind;
  profile: string;
  type?: string;
  root?: string;
  pathMappings: PathMapping[];
  labels: LabelMatch[];
  top?: number;
  json: boolean;
}

function parseArgs(argv: string[]): Args | 'help' {
  const rest: string[] = [];
  const a: Partial<Args> & { pathMappings: PathMapping[]; labels: LabelMatch[]; json: boolean } = { pathMappings: [], labels: [], json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '-h':
      case '--help':
        return 'help';
      case '--json':
        a.json = true;
        break;
      case '--type':
        a.type = value();
        break;
      case '--root':
        a.root = path.resolve(value());
        break;
      case '--top': {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--top needs a positive integer, got "${v}"`);
        a.top = n;
        break;
      }
      case '--label': {
        const v = value();
        const m = parseLabelMatch(v);
        if (!m) throw new UsageError(`--label needs <key>=<value>, got "${v}"`);
        a.labels.push(m);
        break;
      }
      case '--path-map': {
        const v = value();
        const eq = v.indexOf('=');
        if (eq <= 0 || eq === v.length - 1) throw new UsageError(`--path-map needs <from>=<to>, got "${v}"`);
        a.pathMappings.push({ from: v.slice(0, eq), to: path.resolve(v.slice(eq + 1)) });
        break;
      }
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg}`);
        rest.push(arg);
    }
  }
  if (rest.length === 0) return 'help';
  const [command, profile, ...extra] = rest;
  if (command !== 'lines' && command !== 'functions') throw new UsageError(`unknown command "${command}" (expected lines or functions)`);
  if (!profile) throw new UsageError(`${command} needs a profile file`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  return { ...a, command, profile } as Args;
}

export async function main(argv: string[]): Promise<number> {
  let args: Args | 'help';
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`profile-lens: ${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(args.profile);
  } catch (e) {
    process.stderr.write(`profile-lens: cannot read ${args.profile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return 1;
  }
  // bundled (dist/cli.js), dist/sampleWorker.js is beside it: big profiles get a second thread
  // stacks only when --label needs them (the rows come from the index)
  const engine = createInProcessEngine({ sampleWorkerScript: path.join(__dirname, 'sampleWorker.js'), stacksAfterLoad: 'on-demand' });
  try {
    const loaded = await engine.load(bytes, {
      roots: args.root ? [args.root] : [],
      pathMappings: args.pathMappings,
      sourceName: path.basename(args.profile),
    });
    let index = loaded.index;
    const selection = args.labels.length ? normalizeSelection({ labels: args.labels }) : undefined;
    // Correlate: the same engine call the editor uses (only the matching samples, indexed)
    if (selection) index = (await engine.select(loaded.id, selection)).index;
    let typeIndex = index.defaultType;
    if (args.type !== undefined) {
      const want = args.type;
      typeIndex = index.sampleTypes.findIndex((s) => s.type === want || `${s.type}/${s.unit}` === want);
      if (typeIndex < 0) {
        const have = index.sampleTypes.map((s) => s.type).join(', ');
        process.stderr.write(`profile-lens: the profile has no sample type "${want}" (it has: ${have})\n`);
        return 2;
      }
    }
    const out = profileRows(index, args.command, typeIndex, { root: args.root, top: args.top });
    const what = selection ? describeSelection(selection) : undefined;
    process.stdout.write(
      args.json
        ? `${JSON.stringify(what ? { ...out, selection: what, samples: takenSamples(index) } : out)}\n`
        : `${what ? `samples with ${what}: ${takenSamples(index).toLocaleString('en-US')}\n` : ''}${formatTable(out, args.command)}`,
    );
    return 0;
  } catch (e) {
    if (e instanceof EngineError) {
      process.stderr.write(`profile-lens: ${args.profile}: ${e.message} [${e.code}]\n`);
      return 1;
    }
    process.stderr.write(`profile-lens: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  } finally {
    await engine.dispose();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`profile-lens: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
