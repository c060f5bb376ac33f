// State of the image view: the pixels of one image (16-bit kept as is), its mask and a run's
// prediction, the contrast, the overlay settings and the shared viewport. Bitmaps are recomputed
// by the render* methods (called from effects, so they rerun only when what they read changes:
// contrast for the original, class styles and mode for an overlay) and never on pan or zoom.
import { untrack } from 'svelte';
import { IGNORE } from '../../../../src/api/index.ts';
import type { ClassInfo, ClassPredictionPixels, ImageMetricsResult, ImagePixels, MaskPixels, PredictionPixels } from '../../../../src/api/index.ts';
import type { ContractClient } from '../api.ts';
import { describeError } from '../errors.ts';
import type { ShownError } from '../errors.ts';
import { Bitmap } from '../view/bitmap.ts';
import type { ImagePx, Size, Viewport } from '../view/coords.ts';
import { histogram, percentileRange, renderImage } from '../view/lut.ts';
import type { Contrast, PixelSource } from '../view/lut.ts';
import { bitErrorKinds, bitErrorOverlay, errorKinds, errorOverlay, grow, labelOverlay, probabilityOverlay } from '../view/overlays.ts';
import type { ClassStyle, ErrorCounts, OverlayMode, PixelRect } from '../view/overlays.ts';
import { recordFirstImage } from '../view/perf.ts';
import { MAX_SCALE, centred, fitViewport, oneToOne, panBy, zoomAbout } from '../view/viewport.ts';
import { stagePx } from '../view/coords.ts';

/** classProb, classError: overlapping classes only, every class by its own bit (see classLayers). */
export type LayerId = 'original' | 'gt' | 'pred' | 'error' | 'classProb' | 'classError';
export type Layout = 'single' | 'side-by-side';

/** Fraction saturated at each end by "auto" (ImageJ's default). */
export const AUTO_SATURATION = 0.0035;

export interface Bitmaps {
  original: Bitmap;
  gt: Bitmap;
  pred: Bitmap;
  error: Bitmap;
  classProb: Bitmap;
  classError: Bitmap;
}

/** Overlapping classes: one class's own layers (its probability, its error map by its own bit). */
export interface ClassLayer {
  prob: boolean;
  /** 0..1: opacity of probability 1. */
  probOpacity: number;
  error: boolean;
}

export interface HoverInfo {
  p: ImagePx;
  /** Raw value(s) of the image at p. */
  value: number[];
  gt: number | null;
  pred: number | null;
  /** Overlapping classes: each class's probability at p, in classPrediction's class order. */
  probs: number[] | null;
}

export class ImageViewState {
  name = $state<string | null>(null);
  runId = $state<string | null>(null);
  image = $state.raw<ImagePixels | null>(null);
  mask = $state.raw<MaskPixels | null>(null);
  prediction = $state.raw<PredictionPixels | null>(null);
  /**
   * Overlapping classes (a project with "overlapping": true): per class, its probability, its
   * stored mask's bit and the ground truth's bit (getClassPredictionPixels), or why there are none.
   */
  overlapping = $state(false);
  classPrediction = $state.raw<ClassPredictionPixels | null>(null);
  classPredictionNote = $state<string | null>(null);
  /** Per class id: which of its own layers are on; kept from image to image. */
  classLayers = $state<Record<number, ClassLayer>>({});
  /** Per class id: TP/FP/FN of its own bit on this image. */
  classCounts = $state.raw<Record<number, ErrorCounts>>({});
  /** Why there is no prediction to show (no run, no prediction of this image, an error). */
  predictionNote = $state<string | null>(null);
  /** The image's scores against the run's prediction (imageMetrics), or why there are none. */
  scores = $state.raw<ImageMetricsResult | null>(null);
  /** Set when the view was opened to review a score: what the error map now shows and why. */
  reviewNote = $state<string | null>(null);
  hist = $state.raw<Uint32Array | null>(null);
  contrast = $state<Contrast>({ lo: 0, hi: 255, gamma: 1, lut: 'grey' });
  show = $state<Record<LayerId, boolean>>({ original: true, gt: true, pred: true, error: false, classProb: true, classError: true });
  mode = $state<Record<'gt' | 'pred' | 'error', OverlayMode>>({ gt: 'outline', pred: 'fill', error: 'fill' });
  /** Per class id: shown or not and its opacity, for the ground-truth and prediction overlays. */
  classStyles = $state<ClassStyle[]>([]);
  /** Class(es) of the error map: one class id or every foreground class. */
  errorFocus = $state<number | 'all'>('all');
  errorOpacity = $state(0.85);
  showTp = $state(true);
  layout = $state<Layout>('single');
  viewport = $state.raw<Viewport>({ scale: 1, x: 0, y: 0 });
  hover = $state.raw<HoverInfo | null>(null);
  counts = $state.raw<ErrorCounts | null>(null);
  loading = $state<string | null>(null);
  error = $state.raw<ShownError | null>(null);
  bitmaps = $state.raw<Bitmaps | null>(null);
  /** Bumped whenever a bitmap was recomputed: the panes redraw. */
  drawVersion = $state(0);
  classes = $state.raw<ClassInfo[]>([]);
  /** Size of the (first) pane, for fit and 1:1. */
  private viewSize: Size = { width: 800, height: 600 };
  private fitPending = true;
  private loadSeq = 0;
  private errorScratch: Uint8Array | null = null;
  private countsTimer: ReturnType<typeof setTimeout> | null = null;
  private pending: { name: string; promise: Promise<[ImagePixels, MaskPixels]> } | null = null;

  constructor(private readonly client: ContractClient) {}

  get size(): Size | null {
    return this.image ? { width: this.image.width, height: this.image.height } : null;
  }

  setClasses(classes: ClassInfo[]): void {
    if (this.classes === classes) return;
    this.classes = classes;
    this.classStyles = classes.map((c) => ({ visible: !c.isBackground, opacity: 0.55, color: c.color }));
  }

  /** Load image, mask and (if `runId` has one) prediction. Later calls win over earlier ones. */
  async load(name: string, runId: string | null, hasPrediction: boolean): Promise<void> {
    const seq = ++this.loadSeq;
    const sameImage = name === this.name && this.image !== null;
    this.name = name;
    this.runId = runId;
    this.error = null;
    this.loading = `Loading ${name}`;
    if (!sameImage) {
      // Another image: the last one's prediction, scores and review note go at once, not when this
      // one's arrive (its pixels are shown before its prediction and scores: see below).
      this.prediction = null;
      this.classPrediction = null;
      this.scores = null;
      this.reviewNote = null;
    }
    try {
      // The image is shown as soon as it and its mask arrive (issue 14: launch to first image); the
      // prediction and the scores are asked for then, not at the same time: the engine decodes
      // them on the same cores, and the image is what the user waits for.
      const [image, mask] = sameImage ? [this.image!, this.mask!] : await this.pixelsOf(name);
      if (seq !== this.loadSeq) return;
      if (!sameImage) this.setImage(image, mask);
      const predicted = runId && hasPrediction ? Promise.all([this.client.getPredictionPixels({ runId, name }), this.client.imageMetrics({ runId, name })]) : null;
      let prediction: PredictionPixels | null = null;
      let note: string | null = null;
      let scores: ImageMetricsResult | null = null;
      if (!runId) note = 'No run yet: train a model in the Training view to see predictions here.';
      else if (!predicted) note = `Run ${runId} holds no prediction of ${name}: predict it (button beside the scores).`;
      else {
        try {
          [prediction, scores] = await predicted;
        } catch (e) {
          const d = describeError(e, 'Loading the prediction');
          note = `${d.name}: ${d.message}`;
        }
      }
      // Overlapping classes: each class's own planes, after the class-id view (an error here
      // leaves that view and the scores shown, and says why).
      let classPrediction: ClassPredictionPixels | null = null;
      let classNote: string | null = null;
      if (this.overlapping && runId && prediction) {
        try {
          classPrediction = await this.client.getClassPredictionPixels({ runId, name });
        } catch (e) {
          const d = describeError(e, 'Loading the per-class prediction');
          classNote = `${d.name}: ${d.message}`;
        }
      }
      if (seq !== this.loadSeq) return;
      this.classPrediction = classPrediction;
      this.classPredictionNote = classPrediction ? null : (classNote ?? note ?? 'Needs a prediction of this image.');
      if (classPrediction) {
        for (const c of classPrediction.classes) this.classLayers[c.id] ??= { prob: false, probOpacity: 0.8, error: false };
      }
      this.prediction = prediction;
      this.predictionNote = note;
      this.scores = scores;
      if (!sameImage || !scores) this.reviewNote = null;
      if (!prediction && this.bitmaps) {
        this.bitmaps.pred.clear();
        this.bitmaps.pred.commit();
      }
    } catch (e) {
      if (seq === this.loadSeq) this.error = describeError(e, `Loading ${name}`);
    } finally {
      if (seq === this.loadSeq) this.loading = null;
    }
  }

  /** Image and mask of `name`; a second load of the same image while the first is in flight shares its requests. */
  private pixelsOf(name: string): Promise<[ImagePixels, MaskPixels]> {
    if (this.pending?.name === name) return this.pending.promise;
    const promise = Promise.all([this.client.getImagePixels({ name }), this.client.getMaskPixels({ name })]) as Promise<[ImagePixels, MaskPixels]>;
    const entry = { name, promise };
    this.pending = entry;
    const done = () => {
      if (this.pending === entry) this.pending = null;
    };
    promise.then(done, done);
    return promise;
  }

  private setImage(image: ImagePixels, mask: MaskPixels): void {
    const sizeChanged = !this.image || this.image.width !== image.width || this.image.height !== image.height;
    this.hist = histogram(this.source(image));
    this.contrast = { ...this.contrast, lo: image.display.lo, hi: Math.max(image.display.hi, image.display.lo + 1) };
    // The per-class layers take the image's size only for overlapping classes (a 4096 x 4096
    // image's two extra bitmaps are 128 MB); elsewhere they are one pixel and never drawn.
    const cs = this.overlapping ? image : { width: 1, height: 1 };
    const classBm = () => ({ classProb: new Bitmap(cs.width, cs.height), classError: new Bitmap(cs.width, cs.height) });
    if (sizeChanged || !this.bitmaps) {
      const bm = () => new Bitmap(image.width, image.height);
      this.bitmaps = { original: bm(), gt: bm(), pred: bm(), error: bm(), ...classBm() };
      this.errorScratch = new Uint8Array(image.width * image.height);
      this.fitPending = true;
    } else if (this.bitmaps.classProb.width !== cs.width || this.bitmaps.classProb.height !== cs.height) {
      this.bitmaps = { ...this.bitmaps, ...classBm() };
    }
    this.image = image;
    this.mask = mask;
    if (this.fitPending) this.fit();
  }

  private source(im: ImagePixels): PixelSource {
    return { width: im.width, height: im.height, channels: im.channels, bitDepth: im.bitDepth, data: im.data };
  }

  // ------------------------------------------------------------------ bitmaps (called from effects)
  renderOriginal(): void {
    const c = { lo: this.contrast.lo, hi: this.contrast.hi, gamma: this.contrast.gamma, lut: this.contrast.lut };
    const im = this.image;
    const bm = this.bitmaps;
    if (!im || !bm) return;
    renderImage(this.source(im), c, bm.original.pixels);
    bm.original.commit();
    this.bump();
  }

  private styles(): ClassStyle[] {
    return this.classStyles.map((s) => ({ visible: s.visible, opacity: s.opacity, color: s.color }));
  }

  renderGt(): void {
    const styles = this.styles();
    const mode = this.mode.gt;
    const m = this.mask;
    const bm = this.bitmaps;
    if (!m || !bm) return;
    labelOverlay(m.data, m.width, m.height, styles, mode, bm.gt.pixels, undefined, true);
    bm.gt.commit();
    this.bump();
  }

  renderPred(): void {
    const styles = this.styles();
    const mode = this.mode.pred;
    const p = this.prediction;
    const bm = this.bitmaps;
    if (!bm) return;
    if (!p || p.width !== bm.pred.width || p.height !== bm.pred.height) {
      bm.pred.clear();
    } else labelOverlay(p.data, p.width, p.height, styles, mode, bm.pred.pixels);
    bm.pred.commit();
    this.bump();
  }

  /** The class ids the error map covers. */
  errorClasses(): Set<number> {
    if (this.errorFocus !== 'all') return new Set([this.errorFocus]);
    return new Set(this.classes.filter((c) => !c.isBackground).map((c) => c.id));
  }

  renderError(): void {
    const focus = this.errorClasses();
    const style = { opacity: this.errorOpacity, showTp: this.showTp };
    const mode = this.mode.error;
    const m = this.mask;
    const p = this.prediction;
    const bm = this.bitmaps;
    if (!bm) return;
    if (!m || !p || p.width !== m.width || p.height !== m.height) {
      bm.error.clear();
      this.counts = null;
    } else this.counts = errorOverlay(m.data, p.data, m.width, m.height, focus, style, mode, bm.error.pixels, this.errorScratch ?? undefined);
    bm.error.commit();
    this.bump();
  }

  /** The class planes of the shown image, when they match it. */
  private classPlanes(): { cp: ClassPredictionPixels; n: number; bm: Bitmaps } | null {
    const cp = this.classPrediction;
    const bm = this.bitmaps;
    if (!cp || !bm || cp.width !== bm.classProb.width || cp.height !== bm.classProb.height) return null;
    return { cp, n: cp.width * cp.height, bm };
  }

  /** Overlapping classes: the probability ramps of the classes whose probability layer is on. */
  renderClassProb(): void {
    const on = Object.entries(this.classLayers).map(([id, l]) => ({ id: Number(id), prob: l.prob, opacity: l.probOpacity }));
    const colors = this.classStyles.map((s) => s.color);
    const bm = this.bitmaps;
    if (!bm) return;
    bm.classProb.clear();
    const x = this.classPlanes();
    if (x) {
      x.cp.classes.forEach((c, k) => {
        const l = on.find((o) => o.id === c.id);
        if (l?.prob) probabilityOverlay(x.cp.data.subarray(k * x.n, (k + 1) * x.n), x.cp.probScale, colors[c.id] ?? '#ffffff', l.opacity, bm.classProb.pixels);
      });
    }
    bm.classProb.commit();
    this.bump();
  }

  /** Overlapping classes: the error maps, each class by its own bit, of the classes whose map is on; counts of every class. */
  renderClassError(): void {
    const on = new Set(Object.entries(this.classLayers).filter(([, l]) => l.error).map(([id]) => Number(id)));
    const style = { opacity: this.errorOpacity, showTp: this.showTp };
    const mode = this.mode.error;
    const bm = this.bitmaps;
    if (!bm) return;
    const x = this.classPlanes();
    if (!x) {
      bm.classError.clear();
      this.classCounts = {};
    } else {
      const F = x.cp.classes.length;
      const pred = x.cp.data.subarray(F * x.n, (F + 1) * x.n);
      const gt = x.cp.data.subarray((F + 1) * x.n);
      const ids = x.cp.classes.map((c) => c.id);
      // Every class is counted; only the classes turned on are drawn (a later class over an earlier).
      const scratch = this.errorScratch ?? new Uint8Array(x.n);
      const counts = ids.map((id) => bitErrorKinds(gt, pred, id, scratch));
      const drawn = ids.filter((id) => on.has(id));
      bitErrorOverlay(gt, pred, x.cp.width, x.cp.height, drawn, style, mode, bm.classError.pixels, scratch);
      this.classCounts = Object.fromEntries(ids.map((id, k) => [id, counts[k]]));
    }
    bm.classError.commit();
    this.bump();
  }

  /**
   * The mask's pixels changed inside `rect` (the annotation editor wrote them in place into
   * `mask.data`): repaint the ground truth and the error map there only, so a brush stroke on a
   * 4096 x 4096 mask costs its own area. The error counts follow with one full pass when edits pause.
   */
  maskChanged(rect: PixelRect): void {
    const m = this.mask;
    const bm = this.bitmaps;
    if (!m || !bm) return;
    const r = grow(rect, 1, m.width, m.height);
    labelOverlay(m.data, m.width, m.height, this.styles(), this.mode.gt, bm.gt.pixels, r, true);
    bm.gt.commit(r);
    const p = this.prediction;
    if (p && this.errorScratch && p.width === m.width && p.height === m.height) {
      errorOverlay(m.data, p.data, m.width, m.height, this.errorClasses(), { opacity: this.errorOpacity, showTp: this.showTp }, this.mode.error, bm.error.pixels, this.errorScratch, r);
      bm.error.commit(r);
      if (this.countsTimer) clearTimeout(this.countsTimer);
      this.countsTimer = setTimeout(() => {
        this.countsTimer = null;
        this.counts = errorKinds(m.data, p.data, this.errorClasses(), new Uint8Array(m.data.length));
      }, 400);
    }
    this.bump();
  }

  /** Tell the panes to redraw; untracked so that an effect calling a render method does not depend on it. */
  private bump(): void {
    untrack(() => this.drawVersion++);
  }

  firstDrawn(): void {
    if (this.image) recordFirstImage();
  }

  /**
   * Opened to review a score (from a finding or the scatter): the error map of the class at fault
   * (the audit's, carried by the scores) is shown, and a note says which and why.
   */
  review(): void {
    const row = this.scores?.row;
    if (!row) {
      this.reviewNote = this.scores?.note ?? this.predictionNote;
      return;
    }
    const f = row.fault;
    if (f) this.errorFocus = f.classId;
    this.show = { ...this.show, error: true };
    const name = f ? (this.classes[f.classId]?.name ?? `class ${f.classId}`) : null;
    const how = !f ? '' : f.kind === 'missed' ? ' (in the ground truth, never predicted)' : f.kind === 'spurious' ? ' (predicted where the ground truth has none)' : '';
    const dice = f?.dice === null || f?.dice === undefined ? 'n/a' : f.dice.toFixed(3);
    this.reviewNote = f ? `Error map of ${name}, the class at fault: Dice ${dice}${how}.` : 'Error map of every foreground class (no class is at fault here).';
  }

  // ------------------------------------------------------------------ contrast
  autoContrast(): void {
    if (!this.hist) return;
    const { lo, hi } = percentileRange(this.hist, AUTO_SATURATION, AUTO_SATURATION);
    this.contrast = { ...this.contrast, lo, hi };
  }

  resetContrast(): void {
    if (!this.image) return;
    this.contrast = { ...this.contrast, lo: this.image.display.lo, hi: Math.max(this.image.display.hi, this.image.display.lo + 1), gamma: 1 };
  }

  // ------------------------------------------------------------------ viewport
  /** One pane or three; the new panes start fitted. */
  setLayout(l: Layout): void {
    if (l === this.layout) return;
    this.layout = l;
    this.fitPending = true;
  }

  setViewSize(s: Size): void {
    this.viewSize = s;
    if (this.fitPending) this.fit();
  }

  fit(): void {
    const s = this.size;
    if (!s) return;
    this.viewport = fitViewport(s, this.viewSize);
    this.fitPending = false;
  }

  oneToOne(): void {
    const s = this.size;
    if (!s) return;
    this.viewport = this.viewport.scale > 0 ? oneToOne(this.viewport, this.viewSize) : centred(s, this.viewSize, 1);
  }

  zoom(factor: number): void {
    this.viewport = zoomAbout(this.viewport, stagePx(this.viewSize.width / 2, this.viewSize.height / 2), factor);
  }

  pan(dx: number, dy: number): void {
    this.viewport = panBy(this.viewport, dx, dy);
  }

  setViewport(v: Viewport): void {
    if (v.scale > MAX_SCALE) return;
    this.viewport = v;
  }

  /** Zoom as a percentage, for the toolbar. */
  get zoomPercent(): number {
    return Math.round(this.viewport.scale * 1000) / 10;
  }

  setHover(p: ImagePx | null): void {
    const im = this.image;
    if (!p || !im) {
      this.hover = null;
      return;
    }
    const i = p.y * im.width + p.x;
    const value = im.channels === 1 ? [im.data[i]] : [im.data[i * 3], im.data[i * 3 + 1], im.data[i * 3 + 2]];
    const gt = this.mask ? this.mask.data[i] : null;
    const pred = this.prediction ? this.prediction.data[i] : null;
    const cp = this.classPrediction;
    const n = im.width * im.height;
    const probs = cp && cp.width === im.width && cp.height === im.height ? cp.classes.map((_, k) => cp.data[k * n + i] / cp.probScale) : null;
    this.hover = { p, value, gt, pred, probs };
  }

  className(id: number | null): string {
    if (id === null) return '-';
    if (id === IGNORE) return 'unlabelled';
    return this.classes[id]?.name ?? `class ${id}`;
  }
}
