// `seglens eval --audit` through the real binary: findings after the table, `findings[]` with
// --json; all-background predictions are flagged (demo data and the real Drosophila masks), exact
// predictions are not.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLASSES, generateDemoProject } from '../../src/seg/demo/index.ts';
import { json, seglens } from '../helpers/cli.ts';
import { DATA, skipWithoutData, TABLES } from '../helpers/paths.ts';

let dir: string;
let demo: string;
let classes: string;

/** One grey PNG per ground-truth mask, every pixel `value`, same stem and size. */
async function constantPredictions(gtDir: string, outDir: string, value: number): Promise<void> {
  await mkdir(outDir, { recursive: true });
  for (const f of await readdir(gtDir)) {
    const { width, height } = await sharp(join(gtDir, f)).metadata();
    const px = Buffer.alloc(width! * height!, value);
    await sharp(px, { raw: { width: width!, height: height!, channels: 1 } }).png().toFile(join(outDir, f.replace(/\.[^.]+$/, '.png')));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seglens-eval-audit-'));
  demo = join(dir, 'demo');
  await generateDemoProject(demo, { seed: 3, count: 6, size: 96, plantErrors: false });
  classes = join(dir, 'classes.json');
  await writeFile(classes, JSON.stringify(DEMO_CLASSES));
  await constantPredictions(join(demo, 'masks'), join(dir, 'allbg'), 0);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('seglens eval --audit', () => {
  it('flags all-background predictions in findings[] (--json)', async () => {
    const r = await seglens(['eval', '--gt', join(demo, 'masks'), '--pred', join(dir, 'allbg'), '--classes', classes, '--audit', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = json<{ findings: { id: string; severity: string; evidence: Record<string, unknown>; action: string }[]; meanForegroundDice: number }>(r);
    expect(out.meanForegroundDice).toBe(0);
    const ids = out.findings.map((f) => f.id);
    expect(ids.some((id) => id === 'background-dominated' || id === 'below-baseline')).toBe(true);
    for (const f of out.findings) expect(f.action.length).toBeGreaterThan(10);
  });

  it('prints the findings after the table', async () => {
    const r = await seglens(['eval', '--gt', join(demo, 'masks'), '--pred', join(dir, 'allbg'), '--classes', classes, '--audit']);
    expect(r.code, r.stderr).toBe(0);
    const table = r.stdout.indexOf('mean foreground Dice (HEADLINE)');
    const audit = r.stdout.indexOf('Audit:');
    expect(table).toBeGreaterThan(0);
    expect(audit).toBeGreaterThan(table);
    expect(r.stdout.slice(audit)).toMatch(/below-baseline/);
  });

  it('finds nothing to say about exact predictions, and adds no audit findings without --audit', async () => {
    const exact = await seglens(['eval', '--gt', join(demo, 'masks'), '--pred', join(demo, 'masks'), '--classes', classes, '--audit', '--json']);
    expect(exact.code, exact.stderr).toBe(0);
    expect(json<{ findings: unknown[] }>(exact).findings).toEqual([]);
    const plain = await seglens(['eval', '--gt', join(demo, 'masks'), '--pred', join(dir, 'allbg'), '--classes', classes, '--json']);
    // Without --audit the list holds only the files' problems: none here (all-background
    // predictions would give the audit plenty to say).
    expect(json<{ findings: unknown[] }>(plain).findings).toEqual([]);
  });
});

describe.skipIf(skipWithoutData('eval --audit on drosophila-vnc'))('seglens eval --audit on real masks', () => {
  it('all-background (intracellular) predictions of the Drosophila masks are below the baseline', async () => {
    const gt = join(DATA, 'drosophila-vnc', 'masks');
    expect(existsSync(gt)).toBe(true);
    const pred = join(dir, 'dros-allbg');
    await constantPredictions(gt, pred, 255); // 255 = intracellular, the background
    const r = await seglens(['eval', '--gt', gt, '--pred', pred, '--classes', join(TABLES, 'drosophila-vnc.json'), '--audit', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const ids = json<{ findings: { id: string }[] }>(r).findings.map((f) => f.id);
    expect(ids).toContain('below-baseline');
  });
});
