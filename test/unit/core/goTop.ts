/** Parses `go tool pprof -top [-lines]` text output (run with an exact unit, e.g. -unit=ns). */
export interface GoTopRow {
  flat: number;
  cum: number;
  name: string;
  file?: string;
  line?: number;
  inline: boolean;
}

const ROW = /^\s*(-?\d+(?:\.\d+)?)[a-zA-Z]*\s+\S+%\s+\S+%\s+(-?\d+(?:\.\d+)?)[a-zA-Z]*\s+\S+%\s+(.*)$/;
const LOC = /^(.*) (\S+):(\d+)$/;

export function parseGoTop(text: string, withLines: boolean): { total: number; rows: GoTopRow[] } {
  const lines = text.split('\n');
  const head = lines.findIndex((l) => /^\s*flat\s+flat%\s+sum%\s+cum\s+cum%/.test(l));
  if (head < 0) throw new Error('not go tool pprof -top output');
  const totalMatch = /of (-?\d+)[a-zA-Z]* total/.exec(text);
  const rows: GoTopRow[] = [];
  for (const l of lines.slice(head + 1)) {
    if (!l.trim()) continue;
    const m = ROW.exec(l);
    if (!m) throw new Error(`unparsed go tool pprof row: ${l}`);
    let rest = m[3];
    const inline = rest.endsWith(' (inline)');
    if (inline) rest = rest.slice(0, -' (inline)'.length);
    const row: GoTopRow = { flat: Number(m[1]), cum: Number(m[2]), name: rest, inline };
    if (withLines) {
      const lm = LOC.exec(rest);
      if (!lm) throw new Error(`no file:line in row: ${l}`);
      row.name = lm[1];
      row.file = lm[2];
      row.line = Number(lm[3]);
    }
    rows.push(row);
  }
  return { total: totalMatch ? Number(totalMatch[1]) : NaN, rows };
}
