// The image view's pure parts: coordinate spaces, pan/zoom, contrast lookup tables (16-bit), overlay
// and error-map bitmaps, and the route in the #hash. (issue 5, section 3)
import { describe, expect, it } from 'vitest';
import { imagePx, imageToStage, pixelAt, screenPx, screenToStage, stagePx, stageToImage } from '../../renderer/src/lib/view/coords.ts';
import { colourTable, foldHistogram, histogram, levels, pack, percentileRange, renderImage } from '../../renderer/src/lib/view/lut.ts';
import { IGNORE } from '../../src/api/index.ts';
import { ERROR_KIND, UNLABELLED_HATCH, bitErrorKinds, bitErrorOverlay, errorKinds, errorOverlay, labelOverlay, paint, probabilityOverlay } from '../../renderer/src/lib/view/overlays.ts';
import { fitViewport, oneToOne, panBy, visibleRect, wheelFactor, zoomAbout } from '../../renderer/src/lib/view/viewport.ts';
import { formatRoute, parseRoute } from '../../renderer/src/lib/router.ts';
import { actionOf, SHORTCUTS } from '../../renderer/src/lib/view/shortcuts.ts';

describe('coordinates and viewport', () => {
  it('maps image <-> stage <-> screen and back', () => {
    const v = { scale: 2.5, x: 40, y: -12 };
    const p = imagePx(10.25, 7);
    const s = imageToStage(v, p);
    expect(s).toEqual({ x: 65.625, y: 5.5 });
    expect(stageToImage(v, s)).toEqual({ x: 10.25, y: 7 });
    expect(screenToStage(screenPx(300, 200), { left: 100, top: 50 })).toEqual({ x: 200, y: 150 });
    expect(pixelAt(v, stagePx(65.6, 5.4), { width: 20, height: 20 })).toEqual({ x: 10, y: 6 });
    expect(pixelAt(v, stagePx(10, 5), { width: 20, height: 20 })).toBeNull(); // left of the image
  });

  it('fits a wide image to the view width and centres it', () => {
    const v = fitViewport({ width: 4096, height: 1024 }, { width: 1016, height: 816 }, 8);
    expect(v.scale).toBeCloseTo(1000 / 4096, 12);
    expect(v.x).toBeCloseTo(8, 9);
    expect(v.y).toBeCloseTo((816 - 1024 * v.scale) / 2, 9);
  });

  it('zooms about a point: the image point under it stays put', () => {
    const v = { scale: 0.3, x: 17, y: 29 };
    const at = stagePx(250, 140);
    const before = stageToImage(v, at);
    const z = zoomAbout(v, at, 3.7);
    expect(z.scale).toBeCloseTo(1.11, 12);
    const after = stageToImage(z, at);
    expect(after.x).toBeCloseTo(before.x, 9);
    expect(after.y).toBeCloseTo(before.y, 9);
  });

  it('1:1 keeps the centre, clamps extreme zoom, pans, and turns wheel notches into steps', () => {
    const v = { scale: 0.25, x: 0, y: 0 };
    const o = oneToOne(v, { width: 800, height: 600 });
    expect(o.scale).toBe(1);
    expect(stageToImage(o, stagePx(400, 300))).toEqual(stageToImage(v, stagePx(400, 300)));
    expect(zoomAbout(v, stagePx(0, 0), 1e6).scale).toBe(64);
    expect(panBy(v, 5, -3)).toEqual({ scale: 0.25, x: 5, y: -3 });
    expect(wheelFactor(-100, 0)).toBeCloseTo(1.25, 12);
    expect(wheelFactor(100, 0) * wheelFactor(-100, 0)).toBeCloseTo(1, 12);
    expect(wheelFactor(3, 1)).toBeCloseTo(wheelFactor(99, 0), 12); // lines are 33 px
  });

  it('draws only the visible part of a bitmap', () => {
    const img = { width: 4096, height: 4096 };
    expect(visibleRect({ scale: 2, x: -1000, y: -500 }, { width: 800, height: 600 }, img)).toEqual([500, 250, 900, 550]);
    expect(visibleRect({ scale: 1, x: 900, y: 0 }, { width: 800, height: 600 }, img)).toBeNull();
    expect(visibleRect({ scale: 0.1, x: 0, y: 0 }, { width: 800, height: 600 }, img)).toEqual([0, 0, 4096, 4096]);
  });
});

describe('contrast lookup tables', () => {
  it('maps 16-bit values through min, max and gamma to display levels', () => {
    const lv = levels({ lo: 1000, hi: 3000, gamma: 1, lut: 'grey' }, 65536);
    expect(lv[0]).toBe(0);
    expect(lv[1000]).toBe(0);
    expect(lv[2000]).toBe(128); // 127.5 rounds up
    expect(lv[3000]).toBe(255);
    expect(lv[65535]).toBe(255);
    const g = levels({ lo: 0, hi: 100, gamma: 0.5, lut: 'grey' }, 65536);
    expect(g[25]).toBe(Math.round(255 * Math.sqrt(0.25)));
  });

  it('renders 16-bit grey and 8-bit RGB images into packed RGBA', () => {
    const grey = { width: 2, height: 2, channels: 1 as const, bitDepth: 16 as const, data: new Uint16Array([0, 20000, 40000, 65535]) };
    const out = new Uint32Array(4);
    renderImage(grey, { lo: 0, hi: 40000, gamma: 1, lut: 'grey' }, out);
    expect([...out]).toEqual([pack(0, 0, 0), pack(128, 128, 128), pack(255, 255, 255), pack(255, 255, 255)]);
    const inv = new Uint32Array(4);
    renderImage(grey, { lo: 0, hi: 40000, gamma: 1, lut: 'inverted' }, inv);
    expect(inv[0]).toBe(pack(255, 255, 255));
    const rgb = { width: 1, height: 1, channels: 3 as const, bitDepth: 8 as const, data: new Uint8Array([10, 130, 250]) };
    const o = new Uint32Array(1);
    renderImage(rgb, { lo: 10, hi: 250, gamma: 1, lut: 'grey' }, o);
    expect(o[0]).toBe(pack(0, 128, 255));
    // Packed colours are R,G,B,A bytes in memory (what ImageData wants).
    expect([...new Uint8Array(new Uint32Array([pack(1, 2, 3, 4)]).buffer)]).toEqual([1, 2, 3, 4]);
    expect(colourTable({ lo: 0, hi: 255, gamma: 1, lut: 'green' }, 8)[200]).toBe(pack(0, 200, 0));
  });

  it('finds the auto range from percentiles of the histogram', () => {
    // 10 000 pixels: 100 dark outliers at 5, a body from 1000 to 1999, 100 hot pixels at 60000.
    const d = new Uint16Array(10000);
    for (let i = 0; i < 100; i++) d[i] = 5;
    for (let i = 100; i < 9900; i++) d[i] = 1000 + ((i - 100) % 1000);
    for (let i = 9900; i < 10000; i++) d[i] = 60000;
    const h = histogram({ width: 100, height: 100, channels: 1, bitDepth: 16, data: d });
    expect(h.length).toBe(65536);
    expect(h[5]).toBe(100);
    expect(percentileRange(h, 0.005, 0.005)).toEqual({ lo: 5, hi: 60000 }); // 0.5 % is inside the outliers
    const r = percentileRange(h, 0.02, 0.02);
    expect(r.lo).toBeGreaterThanOrEqual(1000);
    expect(r.lo).toBeLessThan(1020);
    expect(r.hi).toBeGreaterThan(1980);
    expect(r.hi).toBeLessThanOrEqual(1999);
    const flat = percentileRange(histogram({ width: 2, height: 1, channels: 1, bitDepth: 8, data: new Uint8Array([7, 7]) }), 0.01, 0.01);
    expect(flat.hi).toBeGreaterThan(flat.lo);
    const folded = foldHistogram(h, 0, 65535, 4);
    expect([...folded]).toEqual([9900, 0, 0, 100]);
  });
});

describe('overlay bitmaps', () => {
  const styles = [
    { visible: false, opacity: 1, color: '#000000' },
    { visible: true, opacity: 0.5, color: '#3cb44b' },
    { visible: true, opacity: 1, color: '#e6194b' },
  ];

  it('fills visible classes with their colour and opacity, never background or unlabelled', () => {
    const labels = new Uint8Array([0, 1, 2, IGNORE]);
    const out = new Uint32Array(4);
    labelOverlay(labels, 4, 1, styles, 'fill', out);
    expect([...out]).toEqual([0, pack(0x3c, 0xb4, 0x4b, 128), pack(0xe6, 0x19, 0x4b, 255), 0]);
    labelOverlay(labels, 4, 1, styles.map((s, i) => ({ ...s, visible: i !== 2 })), 'fill', out);
    expect(out[2]).toBe(0);
  });

  it('hatches unlabelled ground-truth pixels (a 4-pixel checkerboard) only when asked', () => {
    const w = 16;
    const labels = new Uint8Array(w * 8).fill(IGNORE);
    labels.fill(1, 0, w); // first row is class 1
    const out = new Uint32Array(w * 8);
    labelOverlay(labels, w, 8, styles, 'fill', out, undefined, true);
    expect(out[0]).toBe(pack(0x3c, 0xb4, 0x4b, 128));
    // Row 4: cells (x>>2)+(y>>2) odd are hatched: x 0-3 on, 4-7 off, 8-11 on.
    expect(out[4 * w + 0]).toBe(UNLABELLED_HATCH);
    expect(out[4 * w + 5]).toBe(0);
    expect(out[4 * w + 9]).toBe(UNLABELLED_HATCH);
    expect(out[1 * w + 1]).toBe(0); // y 1: (0 + 0) even
    expect(out[1 * w + 5]).toBe(UNLABELLED_HATCH);
    labelOverlay(labels, w, 8, styles, 'fill', out);
    expect(out.slice(w).every((v) => v === 0)).toBe(true);
  });

  it('outlines a region on its inner border only', () => {
    // A 3 x 3 block of class 1 in a 5 x 5 image: 8 border pixels, the centre stays empty.
    const w = 5;
    const key = new Uint8Array(25);
    for (let y = 1; y <= 3; y++) for (let x = 1; x <= 3; x++) key[y * w + x] = 1;
    const colours = new Uint32Array(256);
    colours[1] = 99;
    const out = new Uint32Array(25);
    paint(key, w, 5, colours, 'outline', out);
    expect(out.filter((v) => v === 99).length).toBe(8);
    expect(out[2 * w + 2]).toBe(0);
    // A class touching the image border is not outlined along it.
    const full = new Uint8Array(9).fill(1);
    paint(full, 3, 3, colours, 'outline', (out.fill(0), out));
    expect(out.slice(0, 9).every((v) => v === 0)).toBe(true);
  });

  it('classifies error-map pixels per focus class, never scoring unlabelled ground truth', () => {
    const gt = new Uint8Array([1, 1, 0, 2, 1, IGNORE, 0]);
    const pr = new Uint8Array([1, 0, 1, 2, 2, 1, 0]);
    const kinds = new Uint8Array(gt.length);
    const c1 = errorKinds(gt, pr, new Set([1]), kinds);
    expect([...kinds]).toEqual([ERROR_KIND.tp, ERROR_KIND.fn, ERROR_KIND.fp, 0, ERROR_KIND.fn, 0, 0]);
    expect(c1).toEqual({ tp: 1, fp: 1, fn: 2 });
    // Both foreground classes: a nucleus predicted as boundary is shown as missed and counted both ways.
    const all = errorKinds(gt, pr, new Set([1, 2]), kinds);
    expect(kinds[4]).toBe(ERROR_KIND.fn);
    expect(all).toEqual({ tp: 2, fp: 2, fn: 2 });
    const out = new Uint32Array(gt.length);
    errorOverlay(gt, pr, gt.length, 1, new Set([1]), { opacity: 1, showTp: false }, 'fill', out);
    expect(out[0]).toBe(0); // correct pixels hidden
    expect(out[1]).toBe(pack(0x56, 0xb4, 0xe9)); // false negative: sky blue
    expect(out[2]).toBe(pack(0xe6, 0x9f, 0x00)); // false positive: orange
  });
});

describe('routes and shortcuts', () => {
  it('round-trips the view, image and run through the #hash', () => {
    const r = { view: 'image' as const, image: 'plate 1/well A#2.tif', run: 'run-1' };
    expect(parseRoute(formatRoute(r))).toEqual(r);
    expect(parseRoute('#/metrics?run=x')).toEqual({ view: 'metrics', image: null, run: 'x' });
    expect(parseRoute('#/nonsense')).toEqual({ view: 'project', image: null, run: null });
  });

  it('has one action per key and ignores keys typed into fields', () => {
    const keys = SHORTCUTS.flatMap((s) => s.keys);
    expect(new Set(keys).size).toBe(keys.length);
    const ev = (key: string, tagName = 'DIV', type?: string) => ({ key, ctrlKey: false, metaKey: false, altKey: false, target: { tagName, type } as unknown as EventTarget });
    expect(actionOf(ev('g'))).toBe('toggle-gt');
    expect(actionOf(ev('g', 'INPUT', 'text'))).toBeNull();
    expect(actionOf(ev('g', 'SELECT'))).toBeNull();
    expect(actionOf(ev('g', 'INPUT', 'checkbox'))).toBe('toggle-gt');
    expect(actionOf(ev('ArrowLeft', 'INPUT', 'range'))).toBeNull();
    expect(actionOf(ev('f', 'INPUT', 'range'))).toBe('fit');
    expect(actionOf({ ...ev('f'), ctrlKey: true })).toBeNull();
  });
});

describe('partial repaint (what the editor uses after a stroke)', () => {
  it('repaints a rectangle exactly as a full repaint would, in fill and outline mode', () => {
    const w = 40;
    const h = 30;
    const labels = new Uint8Array(w * h);
    for (let i = 0; i < labels.length; i++) labels[i] = (Math.floor((i % w) / 7) + Math.floor(i / w / 5)) % 3;
    const pred = labels.map((v, i) => (i % 11 === 0 ? (v + 1) % 3 : v));
    const styles = ['#000000', '#3cb44b', '#e6194b'].map((color, i) => ({ visible: i > 0, opacity: 0.7, color }));
    for (const mode of ['fill', 'outline'] as const) {
      const full = new Uint32Array(w * h);
      labelOverlay(labels, w, h, styles, mode, full);
      // Change a block, then repaint only around it.
      const edited = labels.slice();
      for (let y = 10; y < 16; y++) for (let x = 12; x < 20; x++) edited[y * w + x] = 2;
      const want = new Uint32Array(w * h);
      labelOverlay(edited, w, h, styles, mode, want);
      const got = full.slice();
      labelOverlay(edited, w, h, styles, mode, got, [11, 9, 21, 17]); // changed area grown by 1
      expect(got).toEqual(want);

      const e1 = new Uint32Array(w * h);
      errorOverlay(labels, pred, w, h, new Set([1, 2]), { opacity: 1, showTp: true }, mode, e1);
      const e2 = new Uint32Array(w * h);
      errorOverlay(edited, pred, w, h, new Set([1, 2]), { opacity: 1, showTp: true }, mode, e2);
      const e3 = e1.slice();
      const scratch = new Uint8Array(w * h);
      errorOverlay(labels, pred, w, h, new Set([1, 2]), { opacity: 1, showTp: true }, mode, new Uint32Array(w * h), scratch);
      const part = errorOverlay(edited, pred, w, h, new Set([1, 2]), { opacity: 1, showTp: true }, mode, e3, scratch, [11, 9, 21, 17]);
      expect(e3).toEqual(e2);
      expect(part.tp + part.fn).toBeGreaterThan(0);
    }
  });
});

describe('overlapping classes: each class by its own bit', () => {
  // Bits: 1 << 1 nucleus, 1 << 2 nucleolus; a nucleolus pixel inside its nucleus has both.
  const N = 2;
  const L = 4;
  const gt = new Uint16Array([N | L, N | L, N, 1, 1, IGNORE]);
  const pred = new Uint16Array([N | L, N, 1, N, N | L, N]);
  it('counts TP/FP/FN of one class from its own bit, never the class-id view, and skips unlabelled pixels', () => {
    const kinds = new Uint8Array(6);
    expect(bitErrorKinds(gt, pred, 1, kinds)).toEqual({ tp: 2, fp: 2, fn: 1 });
    expect(Array.from(kinds)).toEqual([ERROR_KIND.tp, ERROR_KIND.tp, ERROR_KIND.fn, ERROR_KIND.fp, ERROR_KIND.fp, ERROR_KIND.none]);
    expect(bitErrorKinds(gt, pred, 2, kinds)).toEqual({ tp: 1, fp: 1, fn: 1 });
    expect(Array.from(kinds)).toEqual([ERROR_KIND.tp, ERROR_KIND.fn, ERROR_KIND.none, ERROR_KIND.none, ERROR_KIND.fp, ERROR_KIND.none]);
  });
  it('draws the classes asked for, a later one over an earlier one, and returns their counts', () => {
    const out = new Uint32Array(6);
    const counts = bitErrorOverlay(gt, pred, 6, 1, [1, 2], { opacity: 1, showTp: false }, 'fill', out);
    expect(counts).toEqual([{ tp: 2, fp: 2, fn: 1 }, { tp: 1, fp: 1, fn: 1 }]);
    const fp = pack(0xe6, 0x9f, 0x00, 255);
    const fn = pack(0x56, 0xb4, 0xe9, 255);
    // Pixel 1: nucleus correct (not drawn), nucleolus missed (drawn over it).
    expect(Array.from(out)).toEqual([0, fn, fn, fp, fp, 0]);
    expect(bitErrorOverlay(gt, pred, 6, 1, [], { opacity: 1, showTp: true }, 'fill', out)).toEqual([]);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
  });
  it('draws a probability as its class colour at alpha p x opacity, composited over what is there', () => {
    const out = new Uint32Array(3);
    probabilityOverlay(new Uint16Array([0, 65535, 32768]), 65535, '#ff0000', 1, out);
    expect(out[0]).toBe(0);
    expect(out[1]).toBe(pack(255, 0, 0, 255));
    expect(out[2]).toBe(pack(255, 0, 0, 128));
    probabilityOverlay(new Uint16Array([65535, 0, 65535]), 65535, '#0000ff', 0.5, out);
    expect(out[0]).toBe(pack(0, 0, 255, 128));
    expect(out[1]).toBe(pack(255, 0, 0, 255));
    // Blue at 0.5 over red at 128/255: alpha 0.5 + 0.502 x 0.5 = 0.751 (192/255), two thirds blue.
    expect(out[2] >>> 24).toBe(192);
    expect(out[2] & 255).toBe(85);
    expect((out[2] >>> 16) & 255).toBe(170);
  });
});
