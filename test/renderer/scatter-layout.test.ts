// The scatter's layout (issue 11): points never cover each other, the layout is the same every
// time, moved points stay inside the plot, a brushed rectangle becomes the zoom domain; and the
// keyboard tables give [ and ] to the brush and no key to two actions.
import { describe, expect, it } from 'vitest';
import { brushDomain, dodge, ticks } from '../../renderer/src/lib/view/scatter-layout.ts';
import { EDITOR_SHORTCUTS, editorActionOf } from '../../renderer/src/lib/view/editor-shortcuts.ts';
import { SHORTCUTS, actionOf } from '../../renderer/src/lib/view/shortcuts.ts';

interface P {
  name: string;
  x: number;
  y: number;
}

describe('dodge', () => {
  // Ten images with nearly the same two scores: within 10 px of each other, as in the demo.
  const crowd: P[] = Array.from({ length: 10 }, (_, i) => ({ name: `demo_${i}`, x: 400 + (i % 3) * 2, y: 300 + Math.floor(i / 3) * 3 }));
  const r = 5;

  it('places every point at least two radii from every other', () => {
    const placed = dodge(crowd, (p) => p, (p) => p.name, r);
    expect(placed).toHaveLength(10);
    for (const a of placed) for (const b of placed) if (a !== b) expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeGreaterThanOrEqual(2 * r);
    // True positions are kept for the lead lines; the first point placed stays where it belongs.
    expect(placed.filter((p) => p.x === p.px && p.y === p.py).length).toBeGreaterThanOrEqual(1);
  });

  it('is the same whatever the input order, and keeps moved points inside the bounds', () => {
    const bounds = { x0: 0, y0: 0, x1: 404, y1: 500 };
    const a = dodge(crowd, (p) => p, (p) => p.name, r, bounds);
    const b = dodge([...crowd].reverse(), (p) => p, (p) => p.name, r, bounds);
    const key = (xs: typeof a) => xs.map((p) => `${p.item.name}:${p.x.toFixed(3)},${p.y.toFixed(3)}`).sort();
    expect(key(a)).toEqual(key(b));
    for (const p of a) if (p.x !== p.px) expect(p.x).toBeLessThanOrEqual(404);
  });

  it('leaves points that do not overlap where they are', () => {
    const apart: P[] = [{ name: 'a', x: 10, y: 10 }, { name: 'b', x: 100, y: 10 }];
    expect(dodge(apart, (p) => p, (p) => p.name, r).every((p) => p.x === p.px && p.y === p.py)).toBe(true);
  });
});

describe('zoom', () => {
  it('turns a brushed rectangle into a domain, refusing one too small to mean anything', () => {
    expect(brushDomain({ x: 0.9, y: 0.1 }, { x: 0.8, y: 0.4 })).toEqual({ x0: 0.8, x1: 0.9, y0: 0.1, y1: 0.4 });
    expect(brushDomain({ x: 0.5, y: 0.5 }, { x: 0.502, y: 0.6 })).toBeNull();
    expect(ticks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(0.75, 1)).toEqual([0.75, 0.8, 0.85, 0.9, 0.95, 1]);
  });
});

describe('keys', () => {
  const ev = (key: string) => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, target: { tagName: 'DIV' } as unknown as EventTarget });
  it('[ and ] size the brush (napari, QuPath); images step with PageUp/PageDown; no key does two things', () => {
    expect(editorActionOf(ev('['))).toBe('brush-smaller');
    expect(editorActionOf(ev(']'))).toBe('brush-bigger');
    expect(actionOf(ev('PageDown'))).toBe('next-image');
    expect(actionOf(ev('PageUp'))).toBe('prev-image');
    const view = SHORTCUTS.flatMap((s) => s.keys);
    const editor = EDITOR_SHORTCUTS.flatMap((s) => s.keys);
    expect(view.filter((k) => editor.includes(k))).toEqual([]);
  });
});
