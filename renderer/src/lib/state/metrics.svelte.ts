// State of the metrics view: the per-image x per-class table of one run, its sort order, and what
// the scatter and the findings are derived from.
import type { MetricsTableResult, SplitName } from '../../../../src/api/index.ts';
import type { ContractClient } from '../api.ts';
import { describeError } from '../errors.ts';
import type { ShownError } from '../errors.ts';
import { scatterPoints, sortRows, tableFindings } from '../metrics.ts';
import type { SortKey } from '../metrics.ts';

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

  readonly rows = $derived(this.table ? sortRows(this.table.rows, this.sortKey, this.sortDir) : []);
  readonly scatter = $derived(this.table ? scatterPoints(this.table) : { points: [], undefinedCount: 0 });
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
