// Inside src/seg, modules import each other in one direction: no two folders (or top-level files)
// import each other, directly or around a loop. The audit in particular reads no file and imports
// nothing of dataset, split, project, report or demo: they import it (issue 12 broke the
// seg/audit <-> seg/dataset cycle). Type-only imports count: they tie the modules together too.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/paths.ts';

const SEG = join(REPO, 'src', 'seg');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The module a file belongs to: its folder under src/seg, or the file itself at the top. */
function nodeOf(file: string): string {
  const rel = relative(SEG, file).split('/');
  return rel.length > 1 ? rel[0] : rel[0].replace(/\.ts$/, '');
}

function graph(): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  for (const f of files(SEG)) {
    const from = nodeOf(f);
    if (!g.has(from)) g.set(from, new Set());
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s+'(\.[^']+)'/g)) {
      const target = resolve(dirname(f), m[1]);
      if (!target.startsWith(SEG)) continue;
      const to = nodeOf(target);
      if (to !== from) g.get(from)!.add(to);
    }
  }
  return g;
}

/** Strongly connected components with more than one module (Tarjan). */
function cycles(g: Map<string, Set<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) out.push(c.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('imports inside src/seg', () => {
  it('the audit imports nothing that reads datasets, splits, projects, reports or the demo', () => {
    expect([...graph().get('audit')!].filter((m) => ['dataset', 'split', 'project', 'report', 'demo'].includes(m))).toEqual([]);
  });

  it('dataset, split and report use the audit (one home for the rules), and no module loop exists', () => {
    const g = graph();
    for (const m of ['dataset', 'split', 'report']) expect(g.get(m)!.has('audit'), m).toBe(true);
    expect(cycles(g)).toEqual([]);
  });

  it('the cycle finder finds a planted loop', () => {
    const g = graph();
    g.get('audit')!.add('dataset');
    expect(cycles(g).some((c) => c.includes('audit') && c.includes('dataset'))).toBe(true);
  });
});
