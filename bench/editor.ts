// The annotation editor under load (issue 6, section 3):
//   - brush latency in Chromium (`/usr/bin/chromium`, --disable-gpu) on a 4096 x 4096 mask with the
//     ground truth, a prediction and the error map shown: one synthetic pointermove per frame is
//     dispatched on the pane; latency = dispatch -> end of the animation frame that drew the new
//     pixels (an animation-frame callback queued after the pane's draw; the compositor presents that
//     frame next). Median and 95th percentile, at fit zoom and at 1:1;
//   - undo memory after 100 large strokes (radius 40 px, across the whole 4096 x 4096 mask), from
//     the pure operations and History, headless: the bytes the history holds.
import type { Page } from 'playwright-core';
import { imagePoint } from '../renderer/src/lib/editor/mask.ts';
import { paintStroke } from '../renderer/src/lib/editor/ops.ts';
import { History } from '../renderer/src/lib/editor/undo.ts';
import type { Benchmark } from './main.ts';
import { SIZE, stats, withReviewSession } from './review-session.ts';

const MOVES = 120;

/**
 * Brush latencies of one stroke of MOVES synthetic pointer moves, one per frame. Evaluated as a
 * string: tsx's keep-names helper does not exist in the page.
 */
async function strokeLatencies(page: Page): Promise<{ latency: number[]; handler: number[] }> {
  return page.evaluate(`(async () => {
    const el = document.querySelector('[data-pane=main] .stage');
    const r = el.getBoundingClientRect();
    const frame = () => new Promise((res) => requestAnimationFrame(res));
    const at = (i) => ({ clientX: r.left + r.width * (0.2 + 0.6 * i / ${MOVES}), clientY: r.top + r.height * (0.5 + 0.3 * Math.sin(i / 8)) });
    const ev = (type, i) => new PointerEvent(type, { bubbles: true, cancelable: true, pointerId: 7, pointerType: 'mouse', button: 0, buttons: 1, isPrimary: true, ...at(i) });
    el.dispatchEvent(ev('pointerdown', 0));
    await frame();
    const out = [];
    const handler = [];
    for (let i = 1; i <= ${MOVES}; i++) {
      // Input arrives at any moment of a frame, not just after one: a random phase.
      await new Promise((res) => setTimeout(res, Math.random() * 14));
      const t0 = performance.now();
      el.dispatchEvent(ev('pointermove', i));
      handler.push(performance.now() - t0);
      // The pane's redraw is queued (Svelte effect, then Konva batchDraw) in microtasks after the
      // event; a frame callback queued after them runs once that draw is done.
      await new Promise((res) => setTimeout(res, 0));
      const t1 = await new Promise((res) => requestAnimationFrame(() => res(performance.now())));
      out.push(t1 - t0);
      await frame();
    }
    el.dispatchEvent(ev('pointerup', ${MOVES}));
    return { latency: out, handler };
  })()`);
}

async function brushLatency(): Promise<unknown> {
  return withReviewSession('editor', async ({ page }) => {
    await page.waitForSelector('[data-testid=editor-toolbar]');
    for (const l of ['gt', 'pred', 'error']) await page.check(`[data-layer=${l}]`);
    await page.click('[data-tool=brush]');
    await page.fill('[data-testid=brush-size]', '40');
    await page.press('[data-testid=brush-size]', 'Enter');
    await page.click('[data-class-pick=nucleus]');
    const fit = await strokeLatencies(page);
    await page.click('button[title="1:1 (1)"]');
    const oneToOne = await strokeLatencies(page);
    // Edits are saved by the autosave: let the last one finish before the server goes.
    await page.waitForFunction(() => document.querySelector('[data-testid=save-status]')?.getAttribute('data-status') === 'saved', undefined, { timeout: 60_000 }).catch(() => undefined);
    return {
      mask: { width: SIZE, height: SIZE },
      brushDiameterPx: 40,
      overlays: ['ground truth', 'prediction', 'error map'],
      latencyMsFit: stats(fit.latency),
      latencyMsOneToOne: stats(oneToOne.latency),
      handlerMsFit: stats(fit.handler),
      handlerMsOneToOne: stats(oneToOne.handler),
      note: 'latency: dispatch of a pointermove (at a random moment of a frame) -> end of the animation frame that drew its pixels; handler: the synchronous part (stroke on the mask + overlay repaint of the dirty rectangle). Goal: latency median < 16 ms',
    };
  });
}

/** Undo history after 100 large strokes across a 4096 x 4096 mask (pure operations, no browser). */
function undoMemory(): unknown {
  const mask = { width: SIZE, height: SIZE, data: new Uint8Array(SIZE * SIZE) };
  const history = new History();
  const t0 = performance.now();
  for (let s = 0; s < 100; s++) {
    const pts = [];
    for (let i = 0; i <= 64; i++) {
      const t = i / 64;
      pts.push(imagePoint(100 + t * (SIZE - 200), 100 + ((s * 37) % (SIZE - 200)) + 300 * Math.sin(t * 6 + s)));
    }
    history.push(paintStroke(mask, pts, { radius: 40, value: 1 + (s % 2), rules: { locked: new Set() } }));
  }
  const ms = performance.now() - t0;
  return {
    strokes: 100,
    radiusPx: 40,
    stepsKept: history.steps,
    historyBytes: history.memoryBytes,
    historyMiB: Math.round((history.memoryBytes / 2 ** 20) * 10) / 10,
    wholeMaskCopiesEquivalent: Math.round((history.memoryBytes / (SIZE * SIZE)) * 100) / 100,
    msPerStroke: Math.round((ms / 100) * 10) / 10,
  };
}

export async function benchEditor(): Promise<unknown> {
  return { undoMemory: undoMemory(), brush: await brushLatency() };
}

export const editorBenchmark: Benchmark = {
  name: 'editor',
  description: 'annotation editor: brush latency on a 4096 x 4096 mask in Chromium (median, p95), undo memory after 100 large strokes',
  run: benchEditor,
};
