// Acceptance of issue 2: `seglens inspect` on each real data set reports the right class fractions,
// checked against a count done here straight from the files with sharp.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { json, seglens } from '../helpers/cli.ts';
import { fileProblems } from '../helpers/inspect-json.ts';
import type { InspectFindingJson } from '../helpers/inspect-json.ts';
import { DATA, skipWithoutData, TABLES } from '../helpers/paths.ts';

/** Share of each class over all mask pixels, counted independently of the project's code. */
async function fractions(maskDir: string, classValues: Record<string, number[]>): Promise<Record<string, number>> {
  const counts: Record<string, number> = Object.fromEntries(Object.keys(classValues).map((k) => [k, 0]));
  let total = 0;
  for (const f of readdirSync(maskDir).sort()) {
    const { data } = await sharp(join(maskDir, f)).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    const hist = new Array(256).fill(0);
    for (const v of data) hist[v]++;
    for (const [name, values] of Object.entries(classValues)) for (const v of values) counts[name] += hist[v];
    total += data.length;
  }
  return Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, n / total]));
}

interface Report {
  classes: { name: string; fraction: number; images: number }[];
  pairs: { name: string; image: string; mask: string; bitDepth: number }[];
  findings: InspectFindingJson[];
  blocking: boolean;
}

describe.skipIf(skipWithoutData('inspect on real data'))('seglens inspect on ../shared/data', () => {
  it('isbi2012-membranes: membrane (value 0) about 22 %, pairs by identical name', async () => {
    const r = await seglens(['inspect', join(DATA, 'isbi2012-membranes'), '--classes', join(TABLES, 'isbi2012-membranes.json'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rep = json<Report>(r);
    expect(rep.pairs).toHaveLength(30);
    expect(rep.blocking).toBe(false);
    const expected = await fractions(join(DATA, 'isbi2012-membranes', 'masks'), { membrane: [0], cell: [255] });
    const got = Object.fromEntries(rep.classes.map((c) => [c.name, c.fraction]));
    expect(got.membrane).toBeCloseTo(expected.membrane, 10);
    expect(got.cell).toBeCloseTo(expected.cell, 10);
    expect(got.membrane).toBeGreaterThan(0.2);
    expect(got.membrane).toBeLessThan(0.24);
  });

  it('drosophila-vnc: needs sorted pairing and the 9-value, 5-class table', async () => {
    const dir = join(DATA, 'drosophila-vnc');
    const table = join(TABLES, 'drosophila-vnc.json');
    // By stem nothing pairs (00.tif vs labels00000000.png): inspect says so and blocks.
    const stem = await seglens(['inspect', dir, '--classes', table, '--json']);
    expect(stem.code).toBe(1);
    expect(json<Report>(stem).findings.map((f) => f.id)).toContain('missing-partner');

    const r = await seglens(['inspect', dir, '--classes', table, '--pair', 'sorted', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rep = json<Report>(r);
    expect(rep.pairs.map((p) => [p.image, p.mask])[0]).toEqual(['images/00.tif', 'masks/labels00000000.png']);
    const expected = await fractions(join(dir, 'masks'), {
      intracellular: [255],
      membrane: [0, 32, 64, 96, 128],
      mitochondria: [191],
      synapse: [223],
      glia: [159],
    });
    for (const c of rep.classes) expect(c.fraction, c.name).toBeCloseTo(expected[c.name], 10);
    // Against the data README's figures (its synapse figure is a little lower than these 10 slices).
    const share = Object.fromEntries(rep.classes.map((c) => [c.name, c.fraction]));
    expect(share.intracellular).toBeCloseTo(0.741, 1);
    expect(share.membrane).toBeCloseTo(0.172, 1);
    expect(share.mitochondria).toBeCloseTo(0.054, 1);
    expect(share.synapse).toBeGreaterThan(0.004);
    expect(share.synapse).toBeLessThan(0.009);
    expect(fileProblems(rep.findings)).toEqual([]);
  });

  it('dapi16-nuclei: 16-bit images keep their range, nucleus about 10 %', async () => {
    const r = await seglens(['inspect', join(DATA, 'dapi16-nuclei'), '--classes', join(TABLES, 'dapi16-nuclei.json'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rep = json<Omit<Report, 'pairs'> & { pairs: (Report['pairs'][number] & { intensity: { hi: number } })[] }>(r);
    expect(rep.pairs).toHaveLength(41);
    expect(rep.pairs.every((p) => p.bitDepth === 16)).toBe(true);
    expect(Math.max(...rep.pairs.map((p) => p.intensity.hi))).toBeGreaterThan(255);
    const expected = await fractions(join(DATA, 'dapi16-nuclei', 'masks'), { background: [0], nucleus: [255] });
    const nucleus = rep.classes.find((c) => c.name === 'nucleus')!;
    expect(nucleus.fraction).toBeCloseTo(expected.nucleus, 10);
    expect(nucleus.fraction).toBeGreaterThan(0.05);
    expect(nucleus.fraction).toBeLessThan(0.2);
  });
});
