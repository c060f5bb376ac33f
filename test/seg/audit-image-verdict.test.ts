// The audit's verdict on one image (issue 11): deceptive by the rule of deceptive-images, and the
// class at fault (lowest foreground Dice, how it fails), from real counts of small label maps.
import { describe, expect, it } from 'vitest';
import { deceptiveImages, imageVerdict } from '../../src/seg/audit/index.ts';
import { parseClassTable } from '../../src/seg/classes.ts';
import { Accumulator } from '../../src/seg/metrics/index.ts';
import type { LabelMap } from '../../src/seg/types.ts';

const table = parseClassTable({
  classes: [
    { name: 'background', values: [0] },
    { name: 'nucleus', values: [1] },
    { name: 'boundary', values: [2] },
  ],
  background: 'background',
});

/** A 20 x 20 map: background, a nucleus block of `n` rows, a boundary row below it when `b`. */
function map(n: number, b: boolean, shift = 0): LabelMap {
  const w = 20;
  const data = new Uint8Array(w * w);
  for (let y = 0; y < w; y++)
    for (let x = 0; x < w; x++) {
      if (y >= 2 + shift && y < 2 + shift + n && x >= 4 && x < 12) data[y * w + x] = 1;
      else if (b && y === 2 + shift + n && x >= 4 && x < 12) data[y * w + x] = 2;
    }
  return { width: w, height: w, data };
}

describe('imageVerdict', () => {
  it('names the missed class as the fault of a deceptive image, as deceptive-images ranks it', () => {
    const acc = new Accumulator(table);
    const r = acc.add('a', map(4, true), map(4, false, 1)); // nucleus shifted one row, boundary never predicted
    const v = imageVerdict(r, 'background');
    expect(v.deceptive).toBe(true);
    expect(v.fault).toMatchObject({ id: 2, name: 'boundary', dice: 0, kind: 'missed' });
    expect(v.inclusive).toBeGreaterThanOrEqual(0.8);
    expect(deceptiveImages(acc.result()).map((x) => x.image.name)).toEqual(['a']);
  });

  it('calls a class predicted where the ground truth has none spurious, and a good image not deceptive', () => {
    const acc = new Accumulator(table);
    const spurious = imageVerdict(acc.add('s', map(4, false), map(4, true)), 'background');
    expect(spurious.fault).toMatchObject({ id: 2, kind: 'spurious', dice: 0 });
    const good = imageVerdict(acc.add('g', map(4, true), map(4, true)), 'background');
    expect(good.deceptive).toBe(false);
    expect(good.fault).toMatchObject({ dice: 1, kind: 'partial' });
  });

  it('has no fault when no foreground class is defined, and is then never deceptive', () => {
    const acc = new Accumulator(table);
    const v = imageVerdict(acc.add('e', map(0, false), map(0, false)), 'background');
    expect(v.fault).toBeNull();
    expect(v.deceptive).toBe(false);
  });
});
