// The first of several computes whose init succeeds: the app's training child tries the GPU
// compute of the page or the compute window first and, when it has no usable GPU (only a
// software adapter, no WebGPU or WebGL, nobody connected), falls back to the engine's own CPU
// path. The report lists every attempt, so the reason for the fallback is printed, stored in
// run.json and shown in the app like any skipped backend.
import type { BatchArrays } from '../data/batch.ts';
import type { SerializedWeights } from '../model/weights.ts';
import type { PredictInput } from '../predict/tiled.ts';
import type { LabelMap } from '../../seg/types.ts';
import type { BackendReport, Compute, ComputeInit, ComputePrediction, Tiling } from './types.ts';

export interface ComputeOption {
  /** What the attempt is called in the report (e.g. "GPU compute of the page"). */
  label: string;
  /** Made only when its turn comes. */
  make: () => Compute;
}

export class FirstWorkingCompute implements Compute {
  private chosen: Compute | null = null;

  constructor(private readonly options: readonly ComputeOption[]) {}

  private get c(): Compute {
    if (!this.chosen) throw new Error('compute used before init()');
    return this.chosen;
  }

  async init(init: ComputeInit): Promise<BackendReport> {
    const tried: BackendReport['tried'] = [];
    const failures: string[] = [];
    for (const o of this.options) {
      const compute = o.make();
      try {
        const report = await compute.init(init);
        this.chosen = compute;
        const skipped = failures.length ? ` (${failures.join('; ')})` : '';
        return { ...report, reason: `${report.reason}${skipped}`, tried: [...tried, ...report.tried] };
      } catch (e) {
        const why = (e as Error).message;
        tried.push({ package: o.label, ok: false, reason: why });
        failures.push(`${o.label} not used: ${why}`);
        await compute.dispose().catch(() => undefined);
      }
    }
    throw new Error(`No compute could start: ${failures.join('; ')}`);
  }

  step(batch: BatchArrays): Promise<number> {
    return this.c.step(batch);
  }
  setLearningRate(lr: number): Promise<void> {
    return this.c.setLearningRate(lr);
  }
  predict(image: PredictInput, tiling: Tiling, labels?: LabelMap): Promise<ComputePrediction> {
    return this.c.predict(image, tiling, labels);
  }
  snapshot(): Promise<{ weights: SerializedWeights; optimizer: { iterations: number; moments: SerializedWeights } }> {
    return this.c.snapshot();
  }
  setWeights(weights: SerializedWeights): Promise<void> {
    return this.c.setWeights(weights);
  }
  async dispose(): Promise<void> {
    await this.chosen?.dispose();
    this.chosen = null;
  }
}
