// The annotation editor's operations, headless: pixels written, locks respected, undo/redo exact,
// memory bounded. (issue 6, section 1)
import { describe, expect, it } from 'vitest';
import { IGNORE } from '../../src/api/index.ts';
import { imagePoint as P, NO_LOCKS, type EditMask } from '../../renderer/src/lib/editor/mask.ts';
import { acceptPrediction, fillPolygon, floodFill, paintStroke, polygonSpans, Stroke } from '../../renderer/src/lib/editor/ops.ts';
import { History, TILE } from '../../renderer/src/lib/editor/undo.ts';

const blank = (w: number, h: number, v = 0): EditMask => ({ width: w, height: h, data: new Uint8Array(w * h).fill(v) });
const count = (m: EditMask, v: number) => m.data.reduce((n, x) => n + (x === v ? 1 : 0), 0);
const at = (m: EditMask, x: number, y: number) => m.data[y * m.width + x];

describe('brush and eraser', () => {
  it('paints the pixels whose centre lies within the radius, and only those', () => {
    const m = blank(32, 32);
    const rec = paintStroke(m, [P(16, 16)], { radius: 3, value: 1, rules: NO_LOCKS });
    let expected = 0;
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++) {
        const inside = (x + 0.5 - 16) ** 2 + (y + 0.5 - 16) ** 2 <= 9;
        expect(at(m, x, y), `${x},${y}`).toBe(inside ? 1 : 0);
        expected += inside ? 1 : 0;
      }
    expect(count(m, 1)).toBe(expected);
    expect(rec?.tiles.length).toBe(1);
  });

  it('leaves no gaps along a fast stroke and clips at the image border', () => {
    const m = blank(100, 20);
    paintStroke(m, [P(-5, 10.5), P(120, 10.5)], { radius: 1, value: 2, rules: NO_LOCKS });
    for (let x = 0; x < 100; x++) expect(at(m, x, 10), `x=${x}`).toBe(2);
    expect(at(m, 50, 12)).toBe(0);
  });

  it('never overwrites a locked class', () => {
    const m = blank(20, 20);
    m.data.fill(3, 0, 20 * 10); // top half is class 3
    paintStroke(m, [P(10, 2), P(10, 18)], { radius: 4, value: 1, rules: { locked: new Set([3]) } });
    for (let y = 0; y < 10; y++) for (let x = 0; x < 20; x++) expect(at(m, x, y)).toBe(3);
    expect(at(m, 10, 15)).toBe(1);
  });

  it('erases to unlabelled or to background, as chosen', () => {
    const a = blank(16, 16, 1);
    paintStroke(a, [P(8, 8)], { radius: 2, value: IGNORE, rules: NO_LOCKS });
    expect(at(a, 8, 8)).toBe(IGNORE);
    const b = blank(16, 16, 1);
    paintStroke(b, [P(8, 8)], { radius: 2, value: 0, rules: NO_LOCKS });
    expect(at(b, 8, 8)).toBe(0);
  });

  it('an incremental stroke reports the rectangle to redraw and gives one undo record', () => {
    const m = blank(300, 300);
    const s = new Stroke(m, { radius: 2, value: 1, rules: NO_LOCKS });
    const r1 = s.add(P(10, 10));
    expect(r1).toEqual([8, 8, 12, 12]);
    const r2 = s.add(P(200, 10));
    expect(r2![2]).toBeGreaterThanOrEqual(202);
    const rec = s.end()!;
    expect(rec.tiles.length).toBe(4); // x 0..201 at y 8..11 spans tiles 0..3 of row 0
  });
});

describe('flood fill (4-connected, bounded)', () => {
  it('fills the inside of a closed ring and not the outside', () => {
    const m = blank(20, 20);
    for (let i = 4; i <= 15; i++) for (const [x, y] of [[i, 4], [i, 15], [4, i], [15, i]]) m.data[y * 20 + x] = 1;
    const r = floodFill(m, P(10.2, 10.7), { value: 2, rules: NO_LOCKS });
    expect('record' in r && r.record).toBeTruthy();
    expect(count(m, 2)).toBe(10 * 10);
    expect(at(m, 0, 0)).toBe(0);
  });

  it('does not leak through a diagonal line (4-connectivity)', () => {
    const m = blank(10, 10);
    for (let i = 0; i < 10; i++) m.data[i * 10 + i] = 1; // diagonal wall
    floodFill(m, P(0.5, 9.5), { value: 2, rules: NO_LOCKS });
    expect(count(m, 2)).toBe(45); // strictly below the diagonal
    expect(at(m, 9, 0)).toBe(0);
  });

  it('refuses a region larger than the bound and changes nothing', () => {
    const m = blank(64, 64);
    const before = m.data.slice();
    const r = floodFill(m, P(5, 5), { value: 1, rules: NO_LOCKS, maxPixels: 1000 });
    expect('refused' in r && r.refused).toMatch(/larger than 1000/);
    expect(m.data).toEqual(before);
  });

  it('stays inside the given bounds and refuses a locked seed class', () => {
    const m = blank(40, 40);
    floodFill(m, P(5, 5), { value: 1, rules: NO_LOCKS, bounds: [0, 0, 10, 10] });
    expect(count(m, 1)).toBe(100);
    const r = floodFill(m, P(20, 20), { value: 2, rules: { locked: new Set([0]) } });
    expect('refused' in r).toBe(true);
  });
});

describe('polygon fill and accepting the prediction', () => {
  it('fills exactly the pixel centres inside the polygon', () => {
    const m = blank(30, 30);
    fillPolygon(m, [P(10, 10), P(20, 10), P(20, 20), P(10, 20)], 1, NO_LOCKS);
    expect(count(m, 1)).toBe(100);
    const tri = polygonSpans(m, [P(0, 0), P(10, 0), P(0, 10)]);
    let n = 0;
    for (let i = 0; i < tri.length; i += 3) n += tri[i + 2] - tri[i + 1] + 1;
    expect(n).toBe(45); // centres strictly inside x + y < 10: x + y <= 8, 1 + 2 + ... + 9 = 45
  });

  it('accepts the prediction inside a region, or for one whole class, respecting locks', () => {
    const pred = new Uint8Array(20 * 20);
    pred.fill(1, 0, 200); // prediction: top half class 1
    pred.fill(2, 200); // bottom half class 2
    const a = blank(20, 20);
    acceptPrediction(a, pred, { region: [P(0, 0), P(20, 0), P(20, 5), P(0, 5)], rules: NO_LOCKS });
    expect(count(a, 1)).toBe(100);
    expect(count(a, 2)).toBe(0);
    const b = blank(20, 20);
    acceptPrediction(b, pred, { classId: 2, rules: NO_LOCKS });
    expect(count(b, 2)).toBe(200);
    expect(count(b, 1)).toBe(0);
    const c = blank(20, 20, 3);
    acceptPrediction(c, pred, { classId: 2, rules: { locked: new Set([3]) } });
    expect(count(c, 3)).toBe(400);
  });
});

describe('undo / redo', () => {
  it('undo restores every pixel exactly and redo re-applies, across operations', () => {
    const m = blank(200, 150);
    const h = new History();
    const states = [m.data.slice()];
    h.push(paintStroke(m, [P(10, 10), P(190, 140)], { radius: 5, value: 1, rules: NO_LOCKS }));
    states.push(m.data.slice());
    const f = floodFill(m, P(100, 20), { value: 2, rules: NO_LOCKS });
    h.push('record' in f ? f.record : null);
    states.push(m.data.slice());
    h.push(fillPolygon(m, [P(0, 0), P(50, 0), P(50, 50)], 3, NO_LOCKS));
    states.push(m.data.slice());
    for (let i = 3; i > 0; i--) {
      h.undo(m);
      expect(m.data).toEqual(states[i - 1]);
    }
    expect(h.canUndo).toBe(false);
    for (let i = 1; i <= 3; i++) {
      h.redo(m);
      expect(m.data).toEqual(states[i]);
    }
    // A new edit clears the redo stack.
    h.undo(m);
    h.push(paintStroke(m, [P(5, 5)], { radius: 2, value: 4, rules: NO_LOCKS }));
    expect(h.canRedo).toBe(false);
  });

  it('keeps 100+ large strokes on a 4096 x 4096 mask in bounded memory (tiles, not masks)', () => {
    const m = blank(4096, 4096);
    const h = new History();
    const start = m.data.slice();
    for (let i = 0; i < 120; i++) {
      const y = 20 + i * 33;
      h.push(paintStroke(m, [P(10, y), P(4080, y + 10)], { radius: 8, value: (i % 3) + 1, rules: NO_LOCKS }));
    }
    expect(h.steps).toBe(120);
    // A stroke across the image touches one or two rows of 64 tiles: ~2 * 2 * 64 * 4 KiB.
    expect(h.memoryBytes).toBeLessThan(120 * 2 * 2 * 64 * TILE * TILE);
    expect(h.memoryBytes).toBeLessThan(0.1 * 120 * m.data.length);
    for (let i = 0; i < 120; i++) h.undo(m);
    expect(Buffer.compare(Buffer.from(m.data), Buffer.from(start))).toBe(0);
  });

  it('drops the oldest steps beyond the byte budget but can always undo the last', () => {
    const m = blank(512, 512);
    const h = new History(200_000);
    for (let i = 0; i < 50; i++) h.push(paintStroke(m, [P(0, i * 10), P(511, i * 10)], { radius: 3, value: 1 + (i % 2), rules: NO_LOCKS }));
    expect(h.memoryBytes).toBeLessThanOrEqual(200_000);
    expect(h.steps).toBeLessThan(50);
    expect(h.steps).toBeGreaterThan(0);
    const before = m.data.slice();
    h.undo(m);
    expect(m.data).not.toEqual(before);
  });
});
