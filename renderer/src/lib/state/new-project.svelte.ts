// State of "New project from a folder": choose the folder (the host's dialog where there is one,
// else the folder browser), then init's proposal as an editable class table: names, which stored
// values each class takes (several = merged), which class is the background, which values are
// ignored, colours (left to the default palette unless chosen). Saving writes seglens.json.
import type { BrowseFoldersResult, ClassTableInput, ProjectSummary, ProposeProjectResult } from '../../../../src/api/index.ts';
import type { ContractClient } from '../api.ts';
import { describeError } from '../errors.ts';
import type { ShownError } from '../errors.ts';

/** The assignment of a stored value that puts it in `ignore` (unlabelled, left out of training). */
export const IGNORE_CHOICE = '(ignore)';

export interface EditedClass {
  /** Stable key for the list (names change while typed). */
  key: number;
  name: string;
  /** null: the default palette's colour (black for the background). */
  color: string | null;
}

/** A stored value as a map key: grey levels and colours alike. */
export const valueKey = (v: number | string): string => String(v);

export class NewProjectState {
  stage = $state<'closed' | 'browse' | 'edit'>('closed');
  browsing = $state.raw<BrowseFoldersResult | null>(null);
  proposal = $state.raw<ProposeProjectResult | null>(null);
  classes = $state<EditedClass[]>([]);
  /** Value key -> class key, or IGNORE_CHOICE. */
  assign = $state<Record<string, number | typeof IGNORE_CHOICE>>({});
  background = $state<number | null>(null);
  error = $state.raw<ShownError | null>(null);
  busy = $state<string | null>(null);
  private nextKey = 1;

  constructor(private readonly client: ContractClient) {}

  private async step<T>(what: string, f: () => Promise<T>): Promise<T | undefined> {
    this.busy = what;
    this.error = null;
    try {
      return await f();
    } catch (e) {
      this.error = describeError(e, what);
      return undefined;
    } finally {
      this.busy = null;
    }
  }

  /** The host's folder dialog (Electron) if it has one, else the folder browser at home. */
  async begin(): Promise<void> {
    const picked = await this.step('Choosing a folder', () => this.client.pickFolder());
    if (!picked) return;
    if (picked.supported) {
      if (picked.dir) await this.propose(picked.dir);
      return;
    }
    await this.browse(undefined);
  }

  async browse(dir: string | undefined): Promise<void> {
    const r = await this.step('Listing folders', () => this.client.browseFolders(dir ? { dir } : {}));
    if (!r) return;
    this.browsing = r;
    this.stage = 'browse';
  }

  async propose(dir: string): Promise<void> {
    const p = await this.step(`Reading the masks of ${dir}`, () => this.client.proposeProject({ dir }));
    if (!p) return;
    this.proposal = p;
    this.classes = p.proposal.classes.map((c) => ({ key: this.nextKey++, name: c.name, color: c.color ?? null }));
    const keyOf = new Map(p.proposal.classes.map((c, i) => [c.name, this.classes[i].key]));
    this.background = keyOf.get(p.proposal.background) ?? null;
    const assign: Record<string, number | typeof IGNORE_CHOICE> = {};
    p.proposal.classes.forEach((c, i) => c.values.forEach((v) => (assign[valueKey(v)] = this.classes[i].key)));
    for (const v of p.proposal.ignore) assign[valueKey(v)] = IGNORE_CHOICE;
    this.assign = assign;
    this.stage = 'edit';
  }

  addClass(): void {
    const n = this.classes.length;
    this.classes = [...this.classes, { key: this.nextKey++, name: `class_${n}`, color: null }];
  }

  /** Removes a class; its values go to `ignore` (visible in the table, to reassign). */
  removeClass(key: number): void {
    this.classes = this.classes.filter((c) => c.key !== key);
    for (const [v, k] of Object.entries(this.assign)) if (k === key) this.assign[v] = IGNORE_CHOICE;
    if (this.background === key) this.background = null;
  }

  /** The table to write, or the reason it cannot be written yet. */
  table(): { table: ClassTableInput } | { problem: string } {
    const p = this.proposal;
    if (!p) return { problem: 'No folder chosen.' };
    if (p.maskKind === 'instance' || p.maskKind === 'objects' || p.vector) return { table: { ...p.proposal } };
    const names = this.classes.map((c) => c.name.trim());
    if (names.some((n) => !n)) return { problem: 'Every class needs a name.' };
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) return { problem: `The name "${dup}" is used twice.` };
    const bg = this.classes.find((c) => c.key === this.background);
    if (!bg) return { problem: 'Choose which class is the background (the one left out of the headline).' };
    const stored = p.values.map((v) => v.value);
    const classes = this.classes.map((c) => ({
      name: c.name.trim(),
      values: stored.filter((v) => this.assign[valueKey(v)] === c.key),
      ...(c.color ? { color: c.color } : {}),
    }));
    const empty = classes.find((c) => c.values.length === 0);
    if (empty) return { problem: `Class "${empty.name}" has no stored value: give it one in the table of values, or remove it.` };
    if (classes.length < 2) return { problem: 'A segmentation needs at least two classes.' };
    return { table: { classes, background: bg.name.trim(), ignore: stored.filter((v) => this.assign[valueKey(v)] === IGNORE_CHOICE) } };
  }

  /** Writes seglens.json and opens the project; resolves to its summary. */
  async save(): Promise<ProjectSummary | undefined> {
    const p = this.proposal;
    const t = this.table();
    if (!p) return undefined;
    if ('problem' in t) {
      this.error = { name: 'ValidationError', message: t.problem, todo: 'Correct the class table, then save again.', issues: [], during: 'Checking the class table' };
      return undefined;
    }
    const className = t.table.classes.find((c) => c.name !== t.table.background)?.name ?? 'object';
    const instance = p.maskKind === 'instance' ? { className } : undefined;
    const objects = p.maskKind === 'objects' ? { className, layout: p.objectLayout ?? 'mask-folders' } : undefined;
    const s = await this.step('Writing seglens.json', () =>
      this.client.createProject({
        dir: p.dir,
        images: p.images,
        ...(p.masks !== null ? { masks: p.masks } : {}),
        pairing: p.pairing.rule === 'sorted' ? 'sorted' : 'stem',
        classes: t.table,
        ...(instance ? { instance } : {}),
        ...(objects ? { objects } : {}),
        ...(p.vector ? { vector: p.vector } : {}),
      }),
    );
    if (s) this.close();
    return s;
  }

  close(): void {
    this.stage = 'closed';
    this.proposal = null;
    this.browsing = null;
    this.error = null;
  }
}
