// One set of bounds for a training's options: what the contract accepts (src/api, the app's
// startTraining/resumeTraining) and what the trainer's configuration accepts (src/train, the
// command line and config.json) must be the same numbers. The layer rule keeps the two modules
// from importing one definition, so this test holds them together (issue 14: epochs <= 10 000 in
// the API had been <= 100 000 in the configuration, patch >= 16 against >= 8).
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ResumeTrainingParams, TrainingOptionsSchema } from '../../src/api/index.ts';
import { TrainConfigSchema } from '../../src/train/trainer/config.ts';

/** min and max of a number schema under optional/default/prefault/union wrappers (the union's numeric member). */
function bounds(schema: z.ZodType): { min: number | null; max: number | null } {
  let s = schema as unknown as { _zod: { def: { type: string; innerType?: unknown; options?: unknown[] } }; minValue?: number | null; maxValue?: number | null };
  for (;;) {
    const def = s._zod.def;
    if (def.innerType) s = def.innerType as typeof s;
    else if (def.type === 'union') s = (def.options as (typeof s)[]).find((o) => o._zod.def.type === 'number')!;
    else break;
  }
  expect(s._zod.def.type).toBe('number');
  return { min: s.minValue ?? null, max: s.maxValue ?? null };
}

describe('training option bounds: contract and trainer configuration agree', () => {
  const api = TrainingOptionsSchema.shape;
  const cfg = TrainConfigSchema.shape;
  const early = (cfg.earlyStopping as unknown as { _zod: { def: { innerType: { shape: Record<string, z.ZodType> } } } })._zod.def.innerType.shape;

  it.each([
    ['epochs', api.epochs, cfg.epochs],
    ['resume epochs', ResumeTrainingParams.shape.epochs, cfg.epochs],
    ['patch', api.patch, cfg.patch],
    ['batch', api.batchSize, cfg.batch],
    ['steps per epoch', api.stepsPerEpoch, cfg.stepsPerEpoch],
    ['patience', api.patience, early.patience],
  ])('%s', (_name, a, c) => {
    expect(bounds(a as z.ZodType)).toEqual(bounds(c as z.ZodType));
  });
});
