// runAudit over everything at once, on the demo project with its planted errors (generated here,
// written and read through sharp): the findings come back sorted by severity, survive JSON
// unchanged, and print as text with the ids explained. The id list itself is checked.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backgroundId } from '../../src/seg/classes.ts';
import { checkDatasetPairing, openDataset, readPairLabels } from '../../src/seg/dataset/index.ts';
import { DEMO_CLASSES, generateDemoProject } from '../../src/seg/demo/index.ts';
import type { EvalPair } from '../../src/seg/metrics/index.ts';
import { evaluate } from '../../src/seg/metrics/index.ts';
import {
  ALL_FINDING_IDS,
  FINDING_IDS,
  SEVERITY_ORDER,
  formatFindings,
  runAudit,
  sortFindings,
  valFiguresOf,
} from '../../src/seg/audit/index.ts';
import type { Finding } from '../../src/seg/audit/index.ts';
import { allBackground, history } from './audit-fixtures.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-audit-run-'));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('finding ids', () => {
  it('lists every id the issue asks for, each with a one-line description', () => {
    const required = [
      'background-dominated',
      'below-baseline',
      'class-never-predicted',
      'deceptive-images',
      'small-objects-missed',
      'segmentation-bias',
      'threshold-problem',
      'cooccurrence-shortcut',
      'class-missing-in-split',
      'split-imbalance',
      'split-leakage',
      'split-share-unmet',
      'mask-unknown-values',
      'mask-interpolated',
      'lossy-mask',
      'ignored-share',
      'pairing-suspect',
      'metric-mismatch',
      'not-learning',
      'collapsed',
      'diverged',
      'overfitting',
    ];
    expect([...ALL_FINDING_IDS].sort()).toEqual([...required].sort());
    for (const id of ALL_FINDING_IDS) {
      expect(FINDING_IDS[id].length).toBeGreaterThan(20);
      expect(FINDING_IDS[id]).not.toContain('\n');
    }
  });
});

describe('runAudit on the demo project with planted errors', () => {
  let findings: Finding[];
  beforeAll(async () => {
    const demo = await generateDemoProject(join(tmp, 'demo'), { seed: 1 });
    const ds = await openDataset(demo.dir);
    const pairing = await checkDatasetPairing(ds);
    const bg = backgroundId(DEMO_CLASSES);
    const pairs: EvalPair[] = [];
    for (const p of ds.pairs) {
      const gt = (await readPairLabels(ds.project, p)).labels;
      pairs.push({ name: p.name, gt, pred: allBackground(gt, bg) });
    }
    const evalResult = evaluate(pairs, DEMO_CLASSES);
    const val = valFiguresOf(evalResult);
    const h = history(Array.from({ length: 6 }, () => ({ trainLoss: Math.log(3), valLoss: Math.log(3), val })));
    // The recorded figure claims a good Dice: the recomputed all-background one disagrees.
    const recorded = history([{ trainLoss: 0.2, valLoss: 0.2, val: { ...val, meanForegroundDice: 0.91 } }])[0];
    findings = runAudit({ eval: evalResult, perImageLabels: pairs, pairing, history: h, recorded });
  });

  it('finds each planted failure, critical ones first', () => {
    const ids = findings.map((f) => f.id);
    for (const id of ['below-baseline', 'pairing-suspect', 'not-learning', 'collapsed', 'metric-mismatch'] as const) {
      expect(ids).toContain(id);
    }
    const ranks = findings.map((f) => SEVERITY_ORDER.indexOf(f.severity));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(sortFindings(findings)).toEqual(findings);
  });

  it('every finding is complete and survives JSON unchanged', () => {
    for (const f of findings) {
      expect(f.title.length).toBeGreaterThan(3);
      expect(f.message.length).toBeGreaterThan(20);
      expect(f.action.length).toBeGreaterThan(20);
      expect(Object.keys(f.evidence).length).toBeGreaterThan(0);
      for (const v of Object.values(f.evidence)) expect(v === null || ['number', 'string', 'boolean'].includes(typeof v)).toBe(true);
      if (f.perImage) expect(f.perImage.map((p) => p.image)).toEqual(f.images);
    }
    expect(JSON.parse(JSON.stringify(findings))).toEqual(findings);
  });

  it('formatFindings prints severity, id, numbers, images and action, then the legend', () => {
    const text = formatFindings(findings);
    expect(text.split('\n')[0]).toMatch(/^Audit: \d+ finding\(s\): \d+ critical/);
    for (const f of findings) expect(text).toContain(`${f.severity.toUpperCase()} [${f.id}] ${f.title}`);
    expect(text).toContain('What the ids mean:');
    expect(text.replace(/\n {4}/g, ' ')).toContain(`  pairing-suspect: ${FINDING_IDS['pairing-suspect']}`);
    const pairing = findings.find((f) => f.id === 'pairing-suspect')!;
    expect(text).toContain(`images: ${pairing.images.join(', ')}`);
    expect(text.split('\n').every((l) => l.length <= 100 || !l.includes(' '))).toBe(true);
  });

  it('no findings: one plain line', () => {
    expect(formatFindings([])).toMatch(/^Audit: no findings\./);
    expect(runAudit({})).toEqual([]);
  });
});
