// State of the metrics view: the per-image x per-class table of one run, which images it counts
// (the validation split by default, so its headline is the figure training recorded), its sort
// order, the scatter's y axis, and what the scatter and the findings are derived from.
import type { MetricsTableResult, RunSummary, SplitName } from '../../../../src/api/index.ts';
import type { ContractClient } from '../api.ts';
import { describeError } from '../errors.ts';
import type { ShownError } from '../errors.ts';
import { deceptiveRows, sortRows, tableFindings } from '../metrics.ts';
import type { SortKey, YAxis } from '../metrics.ts';

/** The images a run's table counts by default: its validation side when it has a split. */
export function defaultScope(run: RunSummary | null): SplitName | 'all' {
  return run?.split && run.split.val > 0 ? 'val' : 'all';
}

export class MetricsState {
  runId = $state<string | null>(null);
  split = $state<SplitName | 'all'>('all');
  table = $state.raw<MetricsTableResult | null>(null);
  loading = $state(false);
  error = $state.raw<ShownError | null>(null);
  sortKey = $state<SortKey>('gap');
  sortDir = $state<'asc' | 'desc'>('desc');
  /** Image highlighted in both table and scatter. */
  focus = $state<string | null>(null);
  /** The scatter's y axis. */
  axis = $state<YAxis>('foreground');

  readonly rows = $derived(this.table ? sortRows(this.table.rows, this.sortKey, this.sortDir) : []);
  readonly deceptive = $derived(this.table ? deceptiveRows(this.table) : []);
  readonly findings = $derived(this.table ? tableFindings(this.table) : []);

  private seq = 0;

  constructor(private readonly client: ContractClient) {}

  async load(runId: string | null, split: SplitName | 'all'): Promise<void> {
    const seq = ++this.seq;
    this.runId = runId;
    this.split = split;
    this.error = null;
    if (!runId) {
      this.table = null;
      return;
    }
    this.loading = true;
    try {
      const t = await this.client.metricsTable({ runId, ...(split === 'all' ? {} : { split }) });
      if (seq === this.seq) this.table = t;
    } catch (e) {
      if (seq === this.seq) {
        this.table = null;
        this.error = describeError(e, `Computing the metrics of run ${runId}`);
      }
    } finally {
      if (seq === this.seq) this.loading = false;
    }
  }

  sortBy(key: SortKey): void {
    if (this.sortKey === key) this.sortDir = this.sortDir === 'asc' ? 'desc' : 'asc';
    else {
      this.sortKey = key;
      this.sortDir = key === 'name' || key === 'split' ? 'asc' : 'desc';
    }
  }
}
