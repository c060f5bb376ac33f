// The compute protocol: what crosses between the trainer (engine side) and a compute running in
// another process (a browser worker, Electron's compute window). Every message is checked against
// these schemas on arrival, on both sides, so a broken or hostile peer is a named error, not a
// crash deep in tfjs. One schema per method's arguments and per method's result.
import { z } from 'zod';
import { LossKindSchema } from '../losses/kinds.ts';
import { UNetConfigSchema } from '../model/config.ts';

const int = z.number().int();
const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const f32 = z.instanceof(Float32Array);
const i32 = z.instanceof(Int32Array);
const u8 = z.instanceof(Uint8Array);

const WeightsSchema = z.object({
  specs: z.array(z.object({ name: z.string(), shape: z.array(int.min(0)), dtype: z.literal('float32') })),
  data: u8,
});

const OptimizerStateSchema = z.object({ iterations: int.min(0), moments: WeightsSchema });

export const ComputeInitSchema = z.object({
  model: UNetConfigSchema,
  weights: WeightsSchema.optional(),
  optimizer: z.object({ beta1: finite, beta2: finite, epsilon: finite, lr: finite, state: OptimizerStateSchema.optional() }),
  loss: z.object({
    kind: LossKindSchema,
    numClasses: int.min(1),
    backgroundId: int.min(0).nullable(),
    classWeights: z.array(finite).optional(),
    head: z.enum(['softmax', 'sigmoid']).optional(),
    gamma: finite.optional(),
    diceSmooth: finite.optional(),
    multiLabel: z.boolean().optional(),
  }),
  backend: z.object({ prefer: z.string().optional(), allowSoftwareGpu: z.boolean().optional() }).optional(),
});

const ImageSchema = z.object({ width: int.min(1), height: int.min(1), channels: int.min(1), data: f32 });
const LabelsSchema = z.object({ width: int.min(1), height: int.min(1), data: u8 });
const TilingSchema = z.object({ tile: int.min(1), overlap: int.min(0), batch: int.min(1) });

export const AdapterSchema = z.object({ vendor: z.string(), architecture: z.string(), device: z.string(), description: z.string(), software: z.boolean() });

export const BackendReportSchema = z.object({
  name: z.string(),
  package: z.string(),
  reason: z.string(),
  tried: z.array(z.object({ package: z.string(), ok: z.boolean(), reason: z.string() })),
  adapter: AdapterSchema.optional(),
  versions: z.record(z.string(), z.string()).optional(),
});

/** Arguments (a tuple) and result of each method. */
export const METHODS = {
  init: { args: z.tuple([ComputeInitSchema]), result: BackendReportSchema },
  step: { args: z.tuple([z.object({ x: f32, y: i32, shape: z.tuple([int.min(1), int.min(1), int.min(1), int.min(1)]) })]), result: finite.or(z.nan()) },
  setLearningRate: { args: z.tuple([finite.min(0)]), result: z.undefined() },
  predict: {
    args: z.union([z.tuple([ImageSchema, TilingSchema]), z.tuple([ImageSchema, TilingSchema, LabelsSchema])]),
    result: z.object({ probs: f32, tiles: int.min(0), loss: z.number().nullable() }),
  },
  snapshot: { args: z.tuple([]), result: z.object({ weights: WeightsSchema, optimizer: OptimizerStateSchema }) },
  setWeights: { args: z.tuple([WeightsSchema]), result: z.undefined() },
  dispose: { args: z.tuple([]), result: z.undefined() },
} as const;

export type ComputeMethod = keyof typeof METHODS;
export const COMPUTE_METHODS = Object.keys(METHODS) as ComputeMethod[];

const ErrorSchema = z.object({ name: z.string(), message: z.string() });

const GpuOfferMessage = z.object({ backend: z.enum(['webgpu', 'webgl']), name: z.string(), software: z.boolean() });
export type GpuOfferInfo = z.infer<typeof GpuOfferMessage>;

export const ComputeMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('call'), id: int.min(0), method: z.enum(COMPUTE_METHODS as [ComputeMethod, ...ComputeMethod[]]), args: z.array(z.unknown()) }),
  z.object({ kind: z.literal('result'), id: int.min(0), value: z.unknown().optional() }),
  z.object({ kind: z.literal('error'), id: int.min(0), error: ErrorSchema }),
  /** The compute is gone for good: device lost, window crashed. Pending and later calls fail. */
  z.object({ kind: z.literal('lost'), reason: z.string() }),
  /** Sent once by a compute worker when it connects: the GPU backends its page can offer. */
  z.object({ kind: z.literal('hello'), offers: z.array(GpuOfferMessage) }),
]);
export type ComputeMessage = z.infer<typeof ComputeMessageSchema>;

/** Checks a value against a schema; the error names the path of the first bad field. */
export function check<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new ComputeProtocolError(`${where}: ${issue.path.join('.') || '(value)'}: ${issue.message}`);
}

export class ComputeProtocolError extends Error {
  override name = 'ComputeProtocolError';
}

/** The compute went away (GPU device lost, compute window or page closed or crashed). */
export class ComputeLostError extends Error {
  override name = 'ComputeLostError';
}
