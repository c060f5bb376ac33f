// How a prediction's probability maps are stored (their scale and file names), apart from
// predict-files.ts, which runs the model: the engine reads the maps without loading TensorFlow.js
// (issue 14, launch to first image).
import type { ModelMeta } from '../model/config.ts';

/** Full scale of a probability map: probability 1 is stored as this value. */
export const PROB_SCALE = 65535;

/** Class names made safe as file-name parts; falls back to `<id>_<name>` if two become equal. */
export function probFileNames(meta: ModelMeta): string[] {
  const safe = meta.classTable.classes.map((c) => c.name.replace(/[^A-Za-z0-9._-]+/g, '_'));
  const unique = new Set(safe).size === safe.length;
  return safe.map((s, i) => (unique ? s : `${i}_${s}`));
}
