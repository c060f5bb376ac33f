// State of the annotation editor (issue 6): the tool and its settings, the undo history of the
// mask being edited, and saving it through the contract. Edits run the pure operations of
// lib/editor on the loaded mask's data in place and then ask the image view to repaint only the
// changed rectangle; nothing here draws.
import { IGNORE } from '../../../../src/api/index.ts';
import type { MaskPixels } from '../../../../src/api/index.ts';
import type { ContractClient } from '../api.ts';
import { imagePoint } from '../editor/mask.ts';
import type { EditRules, ImagePoint } from '../editor/mask.ts';
import { Stroke, acceptPrediction, fillPolygon, floodFill } from '../editor/ops.ts';
import type { Rect } from '../editor/ops.ts';
import { History } from '../editor/undo.ts';
import type { UndoRecord } from '../editor/undo.ts';
import { describeError } from '../errors.ts';
import type { ShownError } from '../errors.ts';
import type { ImagePx } from '../view/coords.ts';
import type { PointerTool } from '../view/pane.ts';
import type { ImageViewState } from './image.svelte.ts';

export type EditTool = 'none' | 'brush' | 'eraser' | 'fill' | 'lasso' | 'accept';
export type EraseTo = 'unlabelled' | 'background';
export type SaveStatus = 'saved' | 'dirty' | 'saving' | 'conflict' | 'error';

/** Idle time after the last edit before an autosave. */
export const AUTOSAVE_MS = 2000;
/** A flood fill larger than this is refused (a click on the background of a large mask). */
export const MAX_FILL_PIXELS = 4_000_000;
/**
 * A flood fill of more than this share of the image asks first: one click on the background of a
 * 256 x 256 image otherwise relabels 46 000 pixels at once. 5 % is far above any one object of a
 * microscopy image, and at least ASK_FILL_MIN pixels so that tiny images do not ask for everything.
 */
export const ASK_FILL_SHARE = 0.05;
export const ASK_FILL_MIN = 1000;
export const MIN_BRUSH = 1;
export const MAX_BRUSH = 200;

export class EditorState {
  tool = $state<EditTool>('none');
  /** Brush diameter in image pixels. */
  brushSize = $state(8);
  classId = $state(1);
  eraseTo = $state<EraseTo>('unlabelled');
  locked = $state<number[]>([]);
  dirty = $state(false);
  status = $state<SaveStatus>('saved');
  /** Why the last operation did nothing (a refused fill, no prediction). */
  notice = $state<string | null>(null);
  error = $state.raw<ShownError | null>(null);
  /** The lasso being drawn, in image coordinates (for the on-screen outline). */
  path = $state.raw<ImagePoint[]>([]);
  canUndo = $state(false);
  canRedo = $state(false);
  /** File written by the last save, relative to the project. */
  savedFile = $state<string | null>(null);
  /** A large fill waiting for the user's yes (see ASK_FILL_SHARE): where, and the size it exceeds. */
  pendingFill = $state.raw<{ at: ImagePoint; over: number; share: number } | null>(null);

  private history = new History();
  /** The mask the history belongs to; its data are edited in place. */
  private mask: MaskPixels | null = null;
  private baseVersion: string | null = null;
  private stroke: Stroke | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private saving: Promise<void> | null = null;
  /** Saves under way, of this mask or of one the user has left. */
  private inflight = new Set<Promise<void>>();

  constructor(
    private readonly client: ContractClient,
    private readonly view: ImageViewState,
  ) {}

  private get rules(): EditRules {
    return { locked: new Set(this.locked) };
  }

  private backgroundId(): number {
    return this.view.classes.find((c) => c.isBackground)?.id ?? 0;
  }

  /**
   * The image view now shows `mask` (another image, or the same one reloaded). Unsaved edits of the
   * previous mask are saved first (its data are still ours), then the history starts afresh.
   */
  attach(mask: MaskPixels | null): void {
    if (mask === this.mask) return;
    const prev = this.mask;
    if (prev && this.dirty) void this.track(this.saveMask(prev, this.baseVersion, false));
    this.mask = mask;
    this.baseVersion = mask?.version ?? null;
    this.history = new History();
    this.stroke = null;
    this.path = [];
    this.dirty = false;
    this.status = 'saved';
    this.notice = null;
    this.pendingFill = null;
    this.savedFile = null;
    this.syncHistory();
  }

  toggleLock(id: number): void {
    this.locked = this.locked.includes(id) ? this.locked.filter((c) => c !== id) : [...this.locked, id];
  }

  setBrushSize(s: number): void {
    this.brushSize = Math.max(MIN_BRUSH, Math.min(MAX_BRUSH, Math.round(s)));
  }

  /** Brush size steps of about 20 %, at least one pixel. */
  growBrush(dir: 1 | -1): void {
    const s = this.brushSize;
    this.setBrushSize(dir > 0 ? Math.max(s + 1, s * 1.2) : Math.min(s - 1, s / 1.2));
  }

  /** The next foreground class (wrapping), for the class shortcut. */
  nextClass(): void {
    const ids = this.view.classes.map((c) => c.id);
    if (!ids.length) return;
    const i = ids.indexOf(this.classId);
    this.classId = ids[(i + 1) % ids.length];
  }

  // ------------------------------------------------------------------ pointer tool
  /** The PointerTool the panes get, or null (drag pans) when no tool is chosen. */
  readonly pointer: PointerTool = {
    down: (p) => this.down(p),
    move: (p) => this.move(p),
    up: (p) => this.up(p),
    cursor: 'crosshair',
  };

  private down(p: ImagePx): void {
    const m = this.mask;
    if (!m) return;
    this.notice = null;
    const q = imagePoint(p.x, p.y);
    switch (this.tool) {
      case 'brush':
      case 'eraser': {
        const value = this.tool === 'brush' ? this.classId : this.eraseTo === 'unlabelled' ? IGNORE : this.backgroundId();
        this.stroke = new Stroke(m, { radius: this.brushSize / 2, value, rules: this.rules });
        this.changed(this.stroke.add(q));
        break;
      }
      case 'fill': {
        const ask = Math.max(ASK_FILL_MIN, Math.floor(ASK_FILL_SHARE * m.width * m.height));
        const r = floodFill(m, q, { value: this.classId, rules: this.rules, maxPixels: Math.min(ask, MAX_FILL_PIXELS) });
        if ('refused' in r) {
          if (r.tooLarge && ask < MAX_FILL_PIXELS) this.pendingFill = { at: q, over: ask, share: ask / (m.width * m.height) };
          else this.notice = `Fill refused: ${r.refused}.`;
        } else this.commit(r.record);
        break;
      }
      case 'lasso':
      case 'accept':
        this.path = [q];
        break;
      default:
    }
  }

  private move(p: ImagePx): void {
    if (this.stroke) this.changed(this.stroke.add(imagePoint(p.x, p.y)));
    else if (this.path.length) {
      const last = this.path[this.path.length - 1];
      if (Math.hypot(p.x - last.x, p.y - last.y) * this.view.viewport.scale >= 2) this.path = [...this.path, imagePoint(p.x, p.y)];
    }
  }

  private up(p: ImagePx): void {
    const m = this.mask;
    if (this.stroke) {
      this.changed(this.stroke.add(imagePoint(p.x, p.y)));
      const rec = this.stroke.end();
      this.stroke = null;
      this.record(rec);
      return;
    }
    if (!m || !this.path.length) return;
    const pts = [...this.path, imagePoint(p.x, p.y)];
    this.path = [];
    if (this.tool === 'lasso') this.commit(fillPolygon(m, pts, this.classId, this.rules));
    else if (this.tool === 'accept') this.accept({ region: pts });
  }

  /** The user said yes to a large fill: done up to the hard limit. */
  confirmFill(): void {
    const m = this.mask;
    const p = this.pendingFill;
    this.pendingFill = null;
    if (!m || !p) return;
    const r = floodFill(m, p.at, { value: this.classId, rules: this.rules, maxPixels: MAX_FILL_PIXELS });
    if ('refused' in r) this.notice = `Fill refused: ${r.refused}.`;
    else this.commit(r.record);
  }

  cancelFill(): void {
    this.pendingFill = null;
  }

  /** The tool draws with a round brush whose outline the panes show. */
  get brushLike(): boolean {
    return this.tool === 'brush' || this.tool === 'eraser';
  }

  /** Take the prediction inside a region or for the selected class (the whole image). */
  accept(opts: { region?: ImagePoint[]; wholeClass?: boolean }): void {
    const m = this.mask;
    const pred = this.view.prediction;
    if (!m) return;
    if (!pred || pred.width !== m.width || pred.height !== m.height) {
      this.notice = 'No prediction of this image to accept: choose a run that holds one.';
      return;
    }
    this.commit(acceptPrediction(m, pred.data, { region: opts.region, classId: opts.wholeClass ? this.classId : undefined, rules: this.rules }));
  }

  // ------------------------------------------------------------------ history
  undo(): void {
    if (!this.mask || this.stroke) return;
    const rec = this.history.undo(this.mask);
    if (rec) this.afterHistory(rec);
  }

  redo(): void {
    if (!this.mask || this.stroke) return;
    const rec = this.history.redo(this.mask);
    if (rec) this.afterHistory(rec);
  }

  get undoMemoryBytes(): number {
    return this.history.memoryBytes;
  }

  private afterHistory(rec: UndoRecord): void {
    this.repaint(rec.bounds);
    this.syncHistory();
    this.markDirty();
  }

  /** Pixels changed during a stroke: repaint them now. */
  private changed(rect: Rect | null): void {
    if (rect) this.repaint(rect);
  }

  /** A finished operation whose pixels were not repainted yet. */
  private commit(rec: UndoRecord | null): void {
    if (!rec) return;
    this.repaint(rec.bounds);
    this.record(rec);
  }

  /** Repaint `rect`; the status bar's class under the pointer follows the edit it just made. */
  private repaint(rect: Rect): void {
    this.view.maskChanged(rect);
    const h = this.view.hover;
    if (h) this.view.setHover(h.p);
  }

  private record(rec: UndoRecord | null): void {
    if (!rec) return;
    this.history.push(rec);
    this.syncHistory();
    this.markDirty();
  }

  private syncHistory(): void {
    this.canUndo = this.history.canUndo;
    this.canRedo = this.history.canRedo;
  }

  // ------------------------------------------------------------------ saving
  private markDirty(): void {
    this.dirty = true;
    if (this.status !== 'conflict') this.status = 'dirty';
    this.scheduleSave();
  }

  private scheduleSave(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stroke) void this.save();
      else this.scheduleSave();
    }, AUTOSAVE_MS);
  }

  /** Save now if there are unsaved edits (ctrl+s, autosave, leaving the image or the page). */
  async save(overwrite = false): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.saving) await this.saving;
    const m = this.mask;
    if (!m || (!this.dirty && !overwrite)) return;
    if (this.status === 'conflict' && !overwrite) return; // the user has to choose first
    this.saving = this.track(this.saveMask(m, this.baseVersion, overwrite)).finally(() => (this.saving = null));
    await this.saving;
  }

  private track(p: Promise<void>): Promise<void> {
    this.inflight.add(p);
    return p.finally(() => this.inflight.delete(p));
  }

  /** Resolves once no save is under way: a mask is read only after its edits reached the disk. */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  private async saveMask(m: MaskPixels, baseVersion: string | null, overwrite: boolean): Promise<void> {
    const current = m === this.mask;
    if (current) {
      this.status = 'saving';
      this.dirty = false; // edits made while saving mark it dirty again
    }
    try {
      // A copy: strokes may go on while the upload is under way.
      const r = await this.client.saveMask({ name: m.name, width: m.width, height: m.height, baseVersion, overwrite, data: m.data.slice() });
      if (m === this.mask) {
        this.baseVersion = r.version;
        this.savedFile = r.file;
        this.error = null;
        if (this.status === 'saving') this.status = this.dirty ? 'dirty' : 'saved';
      }
    } catch (e) {
      if (m !== this.mask) {
        // The user left this image: say so rather than lose the edits silently.
        this.error = describeError(e, `Saving the edits of ${m.name}`);
        return;
      }
      this.dirty = true;
      if ((e as { name?: string } | null)?.name === 'ConflictError') this.status = 'conflict';
      else {
        this.status = 'error';
        this.error = describeError(e, `Saving ${m.name}`);
      }
    }
  }

  /** Conflict resolved by keeping the version on disk: the edits are discarded. */
  async reloadFromDisk(): Promise<void> {
    const m = this.mask;
    if (!m) return;
    try {
      const fresh = await this.client.getMaskPixels({ name: m.name });
      this.dirty = false;
      this.mask = null; // attach() must not save the discarded edits
      this.view.mask = fresh;
      this.attach(fresh);
    } catch (e) {
      this.error = describeError(e, `Reloading the mask of ${m.name}`);
    }
  }

  /** Conflict resolved by replacing the version on disk with the edits. */
  async overwrite(): Promise<void> {
    this.status = 'dirty';
    await this.save(true);
  }
}
