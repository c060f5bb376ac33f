// Overviews for the first draw of the image view (issue 14): the reduction factor, the mean of
// each block (partial blocks at the edges), the centre class id of each mask block, and the
// engine's keep-once cache of decoded pixels.
import { describe, expect, it } from 'vitest';
import { ImageOverviewHeaderSchema } from '../../src/api/index.ts';
import { RecentPixels, centreSample, meanReduce, overviewFactor } from '../../src/app/overview.ts';

describe('overview reduction', () => {
  it('picks the smallest whole factor that fits the longest side, never below 1', () => {
    expect(overviewFactor(4096, 4096, 1290)).toBe(4);
    expect(overviewFactor(4096, 2000, 4096)).toBe(1);
    expect(overviewFactor(100, 50, 2000)).toBe(1);
    expect(overviewFactor(1001, 10, 500)).toBe(3);
  });

  it('averages each block in the input type, with partial blocks at the right and bottom edges', () => {
    // 3 x 3, factor 2: blocks [0..1]x[0..1], [2]x[0..1], [0..1]x[2], [2]x[2]
    const d = new Uint16Array([1000, 2000, 65535, 3000, 4001, 65535, 10, 20, 7]);
    const r = meanReduce(d, 3, 3, 1, 2);
    expect(r).toBeInstanceOf(Uint16Array);
    expect(Array.from(r)).toEqual([Math.round((1000 + 2000 + 3000 + 4001) / 4), 65535, 15, 7]);
  });

  it('averages interleaved channels separately', () => {
    const d = new Uint8Array([0, 10, 200, 2, 20, 100]);
    expect(Array.from(meanReduce(d, 2, 1, 3, 2))).toEqual([1, 15, 150]);
  });

  it('returns the data itself at factor 1', () => {
    const d = new Uint8Array([1, 2, 3, 4]);
    expect(meanReduce(d, 2, 2, 1, 1)).toBe(d);
    expect(centreSample(d, 2, 2, 1)).toBe(d);
  });

  it('takes the class id at the centre of each mask block, clamped into the image', () => {
    // 5 x 1, factor 4: block 0 centre x = 2, block 1 centre x = 6 -> clamped to 4
    const d = new Uint8Array([0, 0, 1, 0, 2]);
    expect(Array.from(centreSample(d, 5, 1, 4))).toEqual([1, 2]);
  });
});

describe('overview header', () => {
  const h = { kind: 'image-overview', name: 'a', width: 2, height: 1, channels: 1, bitDepth: 16, dtype: 'uint16', min: 0, max: 1, display: { lo: 0, hi: 1 }, fullWidth: 4, fullHeight: 1, factor: 2 };
  it('accepts a geometry that holds and refuses one that does not, naming the field', () => {
    expect(ImageOverviewHeaderSchema.safeParse(h).success).toBe(true);
    const bad = ImageOverviewHeaderSchema.safeParse({ ...h, width: 3 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0].path).toEqual(['width']);
  });
});

describe('RecentPixels', () => {
  it('shares one decode between get and the take that follows, then forgets it', async () => {
    const r = new RecentPixels<number>(10_000);
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    expect(await r.get('a', load)).toBe(1);
    expect(await r.get('a', load)).toBe(1);
    expect(await r.take('a')).toBe(1);
    expect(r.take('a')).toBeNull();
    expect(await r.get('a', load)).toBe(2);
    r.forget((k) => k === 'a');
    expect(r.take('a')).toBeNull();
  });

  it('keeps no failed decode', async () => {
    const r = new RecentPixels<number>(10_000);
    await expect(r.get('a', () => Promise.reject(new Error('bad file')))).rejects.toThrow('bad file');
    expect(r.take('a')).toBeNull();
  });

  it('drops an entry after its time', async () => {
    const r = new RecentPixels<number>(5);
    await r.get('a', () => Promise.resolve(1));
    await new Promise((res) => setTimeout(res, 30));
    expect(r.take('a')).toBeNull();
  });
});
