// One pane of the image view: a Konva stage that draws bitmap layers (bitmap.ts) under the shared
// viewport and turns wheel and drag into viewport changes. Only the visible part of each bitmap
// is drawn, so a 4096 x 4096 image costs what the screen shows, not what the image holds.
// Pointer input goes to a PointerTool when one is set (the annotation editor), else it pans;
// the middle button, or the primary button with Space held, always pans.
import Konva from 'konva';
import type { Bitmap } from './bitmap.ts';
import { pixelAt, screenPx, screenToStage, stagePx, stageToImage } from './coords.ts';
import type { ImagePx, Size, StagePx, Viewport } from './coords.ts';
import { panBy, visibleRect, wheelFactor, zoomAbout } from './viewport.ts';

export interface PaneLayer {
  id: string;
  bitmap: Bitmap;
  visible: boolean;
  /** Layer-wide opacity on top of the bitmap's own alpha (default 1). */
  opacity?: number;
}

/** What the editor plugs in: pointer input in image coordinates (not clamped to the image). */
export interface PointerTool {
  down(p: ImagePx, e: PointerEvent): void;
  move(p: ImagePx, e: PointerEvent): void;
  up(p: ImagePx, e: PointerEvent): void;
  cursor?: string;
}

export interface PaneCallbacks {
  /** The user panned or zoomed in this pane. */
  onViewport(v: Viewport): void;
  /** The pane's size changed (first call once it is laid out). */
  onResize?(size: Size): void;
  /** The image pixel under the pointer, or null when it left the image. */
  onHover?(p: ImagePx | null): void;
}

export class Pane {
  private readonly stage: Konva.Stage;
  private readonly layer: Konva.Layer;
  private readonly group: Konva.Group;
  private readonly nodes = new Map<string, Konva.Shape>();
  private readonly abort = new AbortController();
  private readonly resize: ResizeObserver;
  private viewport: Viewport = { scale: 1, x: 0, y: 0 };
  private imageSize: Size = { width: 1, height: 1 };
  private drag: { id: number; last: StagePx; panning: boolean } | null = null;
  private spaceHeld = false;
  tool: PointerTool | null = null;
  /** Called after each draw with its duration in ms (benchmarks, first-image timing). */
  onDrawn: ((ms: number) => void) | null = null;

  constructor(
    private readonly container: HTMLDivElement,
    private readonly cb: PaneCallbacks,
  ) {
    const { width, height } = this.size();
    this.stage = new Konva.Stage({ container, width, height, listening: false });
    this.layer = new Konva.Layer({ listening: false });
    this.group = new Konva.Group({ listening: false });
    this.layer.add(this.group);
    this.stage.add(this.layer);
    let t0 = 0;
    this.layer.on('beforeDraw', () => (t0 = performance.now()));
    this.layer.on('draw', () => this.onDrawn?.(performance.now() - t0));
    this.resize = new ResizeObserver(() => this.fitStage());
    this.resize.observe(container);
    this.listen();
  }

  private size(): Size {
    return { width: Math.max(1, this.container.clientWidth), height: Math.max(1, this.container.clientHeight) };
  }

  private fitStage(): void {
    const s = this.size();
    if (s.width === this.stage.width() && s.height === this.stage.height()) return;
    this.stage.size(s);
    this.cb.onResize?.(s);
    this.layer.batchDraw();
  }

  /** Current stage size in CSS pixels. */
  get viewSize(): Size {
    return { width: this.stage.width(), height: this.stage.height() };
  }

  setImageSize(s: Size): void {
    this.imageSize = s;
  }

  setViewport(v: Viewport): void {
    this.viewport = v;
    this.group.position({ x: v.x, y: v.y });
    this.group.scale({ x: v.scale, y: v.scale });
    this.layer.batchDraw();
  }

  /** Replace the drawn layers (bottom first). Cheap: nodes are reused by id. */
  setLayers(layers: readonly PaneLayer[]): void {
    const keep = new Set(layers.map((l) => l.id));
    for (const [id, node] of this.nodes) {
      if (!keep.has(id)) {
        node.destroy();
        this.nodes.delete(id);
      }
    }
    layers.forEach((l, z) => {
      let node = this.nodes.get(l.id);
      if (!node) {
        node = this.bitmapNode();
        this.nodes.set(l.id, node);
        this.group.add(node);
      }
      node.setAttr('bitmap', l.bitmap);
      node.visible(l.visible);
      node.opacity(l.opacity ?? 1);
      node.zIndex(z);
    });
    this.layer.batchDraw();
  }

  /** Redraw (after a bitmap was committed). */
  redraw(): void {
    this.layer.batchDraw();
  }

  /** Draw now, synchronously (benchmarks). */
  drawNow(): void {
    this.layer.draw();
  }

  private bitmapNode(): Konva.Shape {
    return new Konva.Shape({
      listening: false,
      perfectDrawEnabled: false,
      sceneFunc: (ctx, shape) => {
        const bm = shape.getAttr('bitmap') as Bitmap | undefined;
        if (!bm) return;
        const r = visibleRect(this.viewport, this.viewSize, bm);
        if (!r) return;
        const [x0, y0, x1, y1] = r;
        const { canvas, factor: f } = bm.source(this.viewport.scale);
        // Smooth when shrinking (no aliasing noise), crisp pixels when magnifying.
        ctx._context.imageSmoothingEnabled = this.viewport.scale < 1;
        ctx.drawImage(canvas, x0 / f, y0 / f, (x1 - x0) / f, (y1 - y0) / f, x0, y0, x1 - x0, y1 - y0);
      },
    });
  }

  private stagePoint(e: { clientX: number; clientY: number }): StagePx {
    return screenToStage(screenPx(e.clientX, e.clientY), this.container.getBoundingClientRect());
  }

  private listen(): void {
    const el = this.container;
    const signal = this.abort.signal;
    el.style.touchAction = 'none';
    el.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        this.cb.onViewport(zoomAbout(this.viewport, this.stagePoint(e), wheelFactor(e.deltaY, e.deltaMode)));
      },
      { passive: false, signal },
    );
    el.addEventListener(
      'pointerdown',
      (e) => {
        if (this.drag) return;
        const p = this.stagePoint(e);
        const panning = e.button === 1 || (e.button === 0 && (this.spaceHeld || !this.tool));
        if (!panning && e.button !== 0) return;
        try {
          el.setPointerCapture(e.pointerId);
        } catch {
          // A synthetic pointer (tests, automation) cannot be captured; the drag still works inside the pane.
        }
        this.drag = { id: e.pointerId, last: p, panning };
        if (panning) el.style.cursor = 'grabbing';
        else this.tool?.down(stageToImage(this.viewport, p), e);
        e.preventDefault();
      },
      { signal },
    );
    el.addEventListener(
      'pointermove',
      (e) => {
        const p = this.stagePoint(e);
        this.cb.onHover?.(pixelAt(this.viewport, p, this.imageSize));
        if (!this.drag || this.drag.id !== e.pointerId) return;
        if (this.drag.panning) {
          const dx = p.x - this.drag.last.x;
          const dy = p.y - this.drag.last.y;
          this.drag.last = p;
          if (dx !== 0 || dy !== 0) this.cb.onViewport(panBy(this.viewport, dx, dy));
        } else this.tool?.move(stageToImage(this.viewport, p), e);
      },
      { signal },
    );
    const end = (e: PointerEvent) => {
      if (!this.drag || this.drag.id !== e.pointerId) return;
      if (!this.drag.panning) this.tool?.up(stageToImage(this.viewport, this.stagePoint(e)), e);
      this.drag = null;
      el.style.cursor = this.tool?.cursor ?? 'grab';
    };
    el.addEventListener('pointerup', end, { signal });
    el.addEventListener('pointercancel', end, { signal });
    el.addEventListener('pointerleave', () => this.cb.onHover?.(null), { signal });
    window.addEventListener('keydown', (e) => e.code === 'Space' && (this.spaceHeld = true), { signal });
    window.addEventListener('keyup', (e) => e.code === 'Space' && (this.spaceHeld = false), { signal });
    el.style.cursor = 'grab';
  }

  /** The stage point at the centre of the pane (keyboard zoom). */
  centre(): StagePx {
    const s = this.viewSize;
    return stagePx(s.width / 2, s.height / 2);
  }

  destroy(): void {
    this.abort.abort();
    this.resize.disconnect();
    this.stage.destroy();
  }
}
