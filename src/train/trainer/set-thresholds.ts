// Thresholds set by hand (the app's sliders, saved): written into the best checkpoint's model.json
// with the rule `set-by-hand`, so `seglens predict`, the report and the app's predictions apply them
// from then on. The validation record (metrics.jsonl, thresholds.json) keeps what the rule chose:
// the report compares training's figures with its own at the recorded thresholds, and shows its
// figures at the model's (see src/app/report.ts). Stored predictions made at the old thresholds are
// removed, so none is shown as if it were the model's.
import { join } from 'node:path';
import { ConfigError } from '../../seg/errors.ts';
import { HAND_THRESHOLD_RULE, thresholdBin, THRESHOLD_BINS } from '../../seg/metrics/index.ts';
import type { WriteGate } from '../../seg/write-gate.ts';
import { parseModelMeta } from '../model/config.ts';
import type { ModelMeta } from '../model/config.ts';
import { inspectModel, MODEL_FILE } from '../predict/model-io.ts';
import { checkpointDir } from './checkpoint.ts';
import { RUN_FILES } from './run-folder.ts';
import { clearPredictions } from './run-outputs.ts';

/** Sets the best checkpoint's per-class thresholds (snapped to the 1/1000 grid); returns the new metadata. */
export async function setRunThresholds(gate: WriteGate, runDir: string, values: readonly number[]): Promise<ModelMeta> {
  const dir = checkpointDir(runDir, RUN_FILES.best);
  if (!dir) throw new ConfigError(`The run ${runDir} has no best checkpoint yet: train at least one epoch first.`, { runDir });
  const { meta } = await inspectModel(dir);
  if (!meta.overlapping) throw new ConfigError(`The run ${runDir} does not have overlapping classes: its classes are decided by argmax, not by thresholds.`, { runDir });
  const K = meta.classTable.classes.length;
  if (values.length !== K || values.some((v) => !(v >= 0 && v <= 1))) {
    throw new ConfigError(`Give ${K} thresholds between 0 and 1, one per class (${meta.classTable.classes.map((c) => c.name).join(', ')}).`, { values: [...values] });
  }
  const snapped = values.map((v) => thresholdBin(v) / THRESHOLD_BINS);
  const next = parseModelMeta({ ...meta, thresholds: { rule: HAND_THRESHOLD_RULE, values: snapped } }, join(dir, MODEL_FILE));
  await gate.writeJson(join(dir, MODEL_FILE), next);
  await clearPredictions(gate, runDir);
  return next;
}
