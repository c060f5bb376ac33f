// State of the image view: the pixels of one image (16-bit kept as is), its mask and a run's
// prediction, the contrast, the overlay settings and the shared viewport. Bitmaps are recomputed
// by the render* methods (called from effects, so they rerun only when what they read changes:
// contrast for the original, class styles and mode for an overlay) and never on pan or zoom.
// A large image is drawn first from its overview (issue 14, launch to first image): the engine's
// image and mask reduced to about the pane's size, with the histogram taken from it; the full
// resolution replaces it when it arrives. Only the full resolution is ever `image` and `mask`, so
// the editor, the pixel readout and the error map never see the overview.
import { untrack } from 'svelte';
import { IGNORE } from '../../../../src/api/index.ts';
import type { ClassInfo, ClassPredictionPixels, ImageMetricsResult, ImageOverview, ImagePixels, MaskOverview, MaskPixels, PredictionPixels } from '../../../../src/api/index.ts';
import type { ContractClient } from '../api.ts';
import { describeError } from '../errors.ts';
import type { ShownError } from '../errors.ts';
import { Bitmap } from '../view/bitmap.ts';
import type { ImagePx, Size, Viewport } from '../view/coords.ts';
import { histogram, percentileRange, renderImage } from '../view/lut.ts';
import type { Contrast, PixelSource } from '../view/lut.ts';
import { bitErrorKinds, bitErrorOverlay, errorKinds, errorOverlay, grow, labelOverlay, probabilityOverlay } from '../view/overlays.ts';
import type { ClassStyle, ErrorCounts, OverlayMode, PixelRect } from '../view/overlays.ts';
import { markStep, recordFirstImage, recordFullImage } from '../view/perf.ts';
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

/** The overview of an image and its mask, drawn until the full resolution arrives. */
export interface Overview {
  image: ImageOverview;
  mask: MaskOverview;
}

/** What the contrast panel and the status bar say about the image shown (full size, even from the overview). */
export interface ImageInfo {
  width: number;
  height: number;
  channels: 1 | 3;
  bitDepth: 8 | 16;
  min: number;
  max: number;
  /** Image pixels per drawn pixel while the overview is shown; 1 at full resolution. */
  factor: number;
}

/** Resolves after the next frame has been painted (a task queued from a frame callback runs after its paint). */
const afterPaint = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));

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
  /** Full resolution only (see the top of this file). */
  image = $state.raw<ImagePixels | null>(null);
  /** Full resolution only: the editor edits it in place. */
  mask = $state.raw<MaskPixels | null>(null);
  /** Drawn while the full resolution of a large image is on its way; null once it is in. */
  overview = $state.raw<Overview | null>(null);
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

  private settle: () => void = () => {};
  /** The full resolution replaced an overview and has not been drawn yet (perf's fullImageAt). */
  private fullPending = false;
  /**
   * Resolves once the first image is on screen, or its first load ended without one: what a page
   * opened at an image holds back until then (App.svelte: the image list, the GPU worker).
   */
  readonly firstShown = new Promise<void>((r) => (this.settle = r));

  constructor(private readonly client: ContractClient) {}

  get size(): Size | null {
    if (this.image) return { width: this.image.width, height: this.image.height };
    const o = this.overview?.image;
    return o ? { width: o.fullWidth, height: o.fullHeight } : null;
  }

  get info(): ImageInfo | null {
    const im = this.image;
    if (im) return { width: im.width, height: im.height, channels: im.channels, bitDepth: im.bitDepth, min: im.min, max: im.max, factor: 1 };
    const o = this.overview?.image;
    return o ? { width: o.fullWidth, height: o.fullHeight, channels: o.channels, bitDepth: o.bitDepth, min: o.min, max: o.max, factor: o.factor } : null;
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
      // them on the same cores, and the image is what the user waits for. A large image is shown
      // from its overview first; the full resolution is asked for as soon as the overview is in
      // (the engine kept the decode for it) and used once the overview has been painted.
      let full: Promise<[ImagePixels, MaskPixels]> | null = null;
      // Asked again while its overview is shown (the run or the list changed): the overview stays,
      // and the full-resolution request in flight is shared (pixelsOf).
      const overviewShown = this.overview?.image.name === name;
      if (!sameImage && !overviewShown) {
        const overview = await this.overviewOf(name);
        if (seq !== this.loadSeq) return;
        if (overview) {
          full = this.pixelsOf(name);
          full.catch(() => {}); // awaited below; its failure is reported there
          this.setOverview(overview);
          await afterPaint();
          if (seq !== this.loadSeq) return;
          this.loading = `Loading ${name} at full resolution`;
        }
      }
      const [image, mask] = sameImage ? [this.image!, this.mask!] : await (full ?? this.pixelsOf(name));
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
      if (seq === this.loadSeq) {
        this.loading = null;
        this.settle();
      }
    }
  }

  /**
   * The overview of `name` at about the pane's size in device pixels, or null when the image fits
   * the pane as it is (factor 1: the full resolution costs no more) or the overview could not be
   * had (the full-resolution request that follows says why, if it fails too).
   */
  private async overviewOf(name: string): Promise<Overview | null> {
    const dpr = typeof devicePixelRatio === 'number' && devicePixelRatio > 0 ? devicePixelRatio : 1;
    const maxSide = String(Math.max(64, Math.ceil(Math.max(this.viewSize.width, this.viewSize.height) * dpr)));
    try {
      markStep('overview-asked');
      const [image, mask] = await Promise.all([this.client.getImageOverview({ name, maxSide }), this.client.getMaskOverview({ name, maxSide })]);
      markStep('overview-in');
      if (image.factor === 1 || image.factor !== mask.factor || image.fullWidth !== mask.fullWidth || image.fullHeight !== mask.fullHeight) return null;
      return { image, mask };
    } catch {
      return null;
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

  /** Bitmaps of `factor` for an image of `width` x `height`; the viewport is fitted again when the image's size changed. */
  private bitmapsFor(width: number, height: number, factor: number): void {
    const bm = this.bitmaps?.original;
    // The per-class layers take the image's size only for overlapping classes at full resolution
    // (a 4096 x 4096 image's two extra bitmaps are 128 MB); elsewhere they are one pixel, never drawn.
    const cs = this.overlapping && factor === 1 ? { width, height } : { width: 1, height: 1 };
    const classBm = () => ({ classProb: new Bitmap(cs.width, cs.height), classError: new Bitmap(cs.width, cs.height) });
    if (this.bitmaps && bm && bm.width === width && bm.height === height && bm.factor === factor) {
      if (this.bitmaps.classProb.width !== cs.width || this.bitmaps.classProb.height !== cs.height) this.bitmaps = { ...this.bitmaps, ...classBm() };
      return;
    }
    if (!bm || bm.width !== width || bm.height !== height) this.fitPending = true;
    const make = () => new Bitmap(width, height, factor);
    this.bitmaps = { original: make(), gt: make(), pred: make(), error: make(), ...classBm() };
  }

  /** Another image, shown from its overview: the last image's full-resolution pixels go, so nothing reads them against this one. */
  private setOverview(o: Overview): void {
    const im = o.image;
    this.hist = histogram(this.source(im));
    this.contrast = { ...this.contrast, lo: im.display.lo, hi: Math.max(im.display.hi, im.display.lo + 1) };
    this.bitmapsFor(im.fullWidth, im.fullHeight, im.factor);
    this.errorScratch = null;
    this.image = null;
    this.mask = null;
    this.hover = null;
    this.overview = o;
    if (this.fitPending) this.fit();
  }

  private setImage(image: ImagePixels, mask: MaskPixels): void {
    // Shown from its overview a moment ago: the contrast stays as the user may have set it since
    // (it was set from the same display range).
    const fromOverview = this.overview?.image.name === image.name && this.overview.image.fullWidth === image.width && this.overview.image.fullHeight === image.height;
    this.hist = histogram(this.source(image));
    if (!fromOverview) this.contrast = { ...this.contrast, lo: image.display.lo, hi: Math.max(image.display.hi, image.display.lo + 1) };
    this.bitmapsFor(image.width, image.height, 1);
    if (this.errorScratch?.length !== image.width * image.height) this.errorScratch = new Uint8Array(image.width * image.height);
    this.overview = null;
    this.image = image;
    this.mask = mask;
    if (this.fitPending) this.fit();
    this.fullPending = fromOverview;
  }

  private source(im: ImagePixels | ImageOverview): PixelSource {
    return { width: im.width, height: im.height, channels: im.channels, bitDepth: im.bitDepth, data: im.data };
  }

  /** Whether a class-id array of `w` x `h` fills the bitmap's pixels (full resolution, or the overview on overview bitmaps). */
  private fills(bm: Bitmap, w: number, h: number): boolean {
    return bm.pixels.length === w * h && Math.ceil(bm.width / bm.factor) === w;
  }

  // ------------------------------------------------------------------ bitmaps (called from effects)
  renderOriginal(): void {
    const c = { lo: this.contrast.lo, hi: this.contrast.hi, gamma: this.contrast.gamma, lut: this.contrast.lut };
    const im = this.image ?? this.overview?.image;
    const bm = this.bitmaps;
    if (!im || !bm || !this.fills(bm.original, im.width, im.height)) return;
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
    const m = this.mask ?? this.overview?.mask;
    const bm = this.bitmaps;
    if (!m || !bm || !this.fills(bm.gt, m.width, m.height)) return;
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
    if (!p || bm.pred.factor !== 1 || p.width !== bm.pred.width || p.height !== bm.pred.height) {
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
    if (!m || !p || bm.error.factor !== 1 || p.width !== m.width || p.height !== m.height) {
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
    if (!m || !bm || bm.gt.factor !== 1) return;
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

  /** A pane drew the image's bitmaps (each draw): the first draw, and the first of the full resolution after an overview, are timed. */
  firstDrawn(): void {
    if (!this.image && !this.overview) return;
    recordFirstImage();
    this.settle();
    if (this.fullPending && this.image && this.bitmaps?.original.factor === 1) {
      this.fullPending = false;
      recordFullImage();
    }
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
    const im = this.image ?? this.overview?.image;
    if (!im) return;
    this.contrast = { ...this.contrast, lo: im.display.lo, hi: Math.max(im.display.hi, im.display.lo + 1), gamma: 1 };
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
