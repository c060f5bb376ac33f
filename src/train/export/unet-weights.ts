// The weights of a saved U-Net by layer, as the exporters need them: one lookup by the names
// buildUNet gives its layers (model/unet.ts), with every shape checked, so an exporter never
// writes a graph from weights of another architecture.
import { ShapeError } from '../../seg/errors.ts';
import type { UNetConfig } from '../model/config.ts';
import { levelFilters } from '../model/unet.ts';
import type { SerializedWeights } from '../model/weights.ts';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class UNetWeights {
  private readonly byName = new Map<string, { shape: number[]; data: Float32Array }>();

  constructor(saved: SerializedWeights) {
    let offset = 0;
    for (const spec of saved.specs) {
      const n = spec.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      if (LITTLE_ENDIAN) new Uint8Array(data.buffer).set(saved.data.subarray(offset, offset + n * 4));
      else {
        const v = new DataView(saved.data.buffer, saved.data.byteOffset + offset, n * 4);
        for (let i = 0; i < n; i++) data[i] = v.getFloat32(i * 4, true);
      }
      this.byName.set(spec.name, { shape: spec.shape, data });
      offset += n * 4;
    }
    if (offset !== saved.data.length) throw new ShapeError(`Saved weights hold ${saved.data.length} bytes but their specs describe ${offset}.`);
  }

  /** The values of `name`, whose shape must be `shape`. */
  get(name: string, shape: number[]): Float32Array {
    const w = this.byName.get(name);
    if (!w) throw new ShapeError(`The saved weights have no tensor "${name}": they do not come from a seglens U-Net of this configuration.`, { name });
    if (w.shape.join('x') !== shape.join('x')) {
      throw new ShapeError(`Weight "${name}" has shape [${w.shape}] but the model's configuration needs [${shape}].`, { name, shape: w.shape, expected: shape });
    }
    return w.data;
  }

  get size(): number {
    return this.byName.size;
  }
}

/** One 3x3 convolution of a block, with its batch norm (or bias) as buildUNet names them. */
export interface ConvUnit {
  prefix: string;
  index: number;
  cin: number;
  cout: number;
}

/**
 * The U-Net's layers in execution order, named and sized as buildUNet builds them: what every
 * exporter walks. `skip` marks the encoder outputs the decoder concatenates.
 */
export type UNetStep =
  | { kind: 'block'; units: ConvUnit[]; name: string; skipOf?: number }
  | { kind: 'pool'; level: number }
  | { kind: 'up'; level: number; cin: number; cout: number };

export function unetSteps(cfg: UNetConfig): UNetStep[] {
  const f = levelFilters(cfg);
  const steps: UNetStep[] = [];
  const block = (prefix: string, cin: number, cout: number): ConvUnit[] => [
    { prefix, index: 0, cin, cout },
    { prefix, index: 1, cin: cout, cout },
  ];
  let cin: number = cfg.inputChannels;
  for (let l = 0; l < cfg.depth; l++) {
    steps.push({ kind: 'block', name: `enc${l}`, units: block(`enc${l}`, cin, f[l]), skipOf: l });
    steps.push({ kind: 'pool', level: l });
    cin = f[l];
  }
  steps.push({ kind: 'block', name: 'bottleneck', units: block('bottleneck', cin, f[cfg.depth]) });
  for (let l = cfg.depth - 1; l >= 0; l--) {
    steps.push({ kind: 'up', level: l, cin: f[l + 1], cout: f[l] });
    steps.push({ kind: 'block', name: `dec${l}`, units: block(`dec${l}`, 2 * f[l], f[l]) });
  }
  return steps;
}
