// Page code of test/gpu/gpu-kernels.test.ts, bundled for Chromium: runs the project's GPU kernels
// and a whole U-Net training step's forward and backward on a GPU backend and on the cpu backend,
// with the same inputs, and reports the largest difference of each output relative to its scale.
import { tf } from '../../src/train/tf.ts';
import { selectBrowserBackend } from '../../src/train/compute/browser-backend.ts';
import { isProjectGpuKernel } from '../../src/train/backend/gpu-kernels/register.ts';
import { makeLoss } from '../../src/train/losses/loss.ts';
import { buildUNet, logitsModel } from '../../src/train/model/unet.ts';

type Shape4 = [number, number, number, number];

let seed = 11;
function random(n: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    v[i] = seed / 1073741824 - 1;
  }
  return v;
}

function relError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return s === 0 ? (d === 0 ? 0 : Infinity) : d / s;
}

async function on(backend: string, inputs: Array<{ v: Float32Array; shape: number[] }>, f: (...t: tf.Tensor[]) => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(() => f(...inputs.map((i) => tf.tensor(i.v, i.shape))));
  const values = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(outs);
  return values;
}

const filterGrad = (x: tf.Tensor, dy: tf.Tensor, filterShape: Shape4, strides: number, pad: 'same' | 'valid', dilations = 1) =>
  tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides, pad, dataFormat: 'NHWC', filterShape, dilations } as never) as tf.Tensor;

export interface Check {
  label: string;
  error: number;
}

async function checkFilterGradients(backend: string): Promise<Check[]> {
  const out: Check[] = [];
  for (const [b, h, w, ci, co] of [
    [1, 7, 9, 3, 4],
    [2, 13, 11, 5, 8],
  ]) {
    for (const [fh, fw] of [
      [3, 3],
      [1, 1],
      [2, 2],
      [5, 3],
    ]) {
      for (const pad of ['same', 'valid'] as const) {
        for (const stride of [1, 2]) {
          const xShape: Shape4 = [b, h, w, ci];
          const wShape: Shape4 = [fh, fw, ci, co];
          const info = tf.backend_util.computeConv2DInfo(xShape, wShape, stride, 1, pad);
          const dyShape = [b, info.outHeight, info.outWidth, co];
          const inputs = [
            { v: random(b * h * w * ci), shape: xShape },
            { v: random(dyShape.reduce((p, q) => p * q, 1)), shape: dyShape },
          ];
          const run = (x: tf.Tensor, dy: tf.Tensor) => [filterGrad(x, dy, wShape, stride, pad)];
          const [gpu] = await on(backend, inputs, run);
          const [cpu] = await on('cpu', inputs, run);
          out.push({ label: `Conv2DBackpropFilter ${xShape} filter ${fh}x${fw} ${pad} stride ${stride}`, error: relError(gpu, cpu) });
        }
      }
    }
  }
  return out;
}

/** Loss and every gradient of one training step of a small U-Net with batch norm, Dice + CE. */
async function checkTrainingStep(backend: string): Promise<Check[]> {
  const K = 3;
  const [B, S] = [2, 32];
  const x = random(B * S * S);
  const labels = Float32Array.from(random(B * S * S), (v) => Math.floor((v + 1) * 1.5) % K);
  const results: Record<string, Float32Array[]> = {};
  for (const name of [backend, 'cpu']) {
    await tf.setBackend(name);
    const model = buildUNet({ depth: 2, baseFilters: 4, inputChannels: 1, numClasses: K, seed: 5 });
    const logits = logitsModel(model);
    const vars = model.trainableWeights.map((w) => w.read() as unknown as tf.Variable);
    const loss = makeLoss({ kind: 'dice-ce', numClasses: K, backgroundId: 0 });
    const { value, grads } = tf.variableGrads(
      () => loss(logits.apply(tf.tensor4d(x, [B, S, S, 1]), { training: true }) as tf.Tensor4D, tf.tensor3d(Int32Array.from(labels), [B, S, S], 'int32')),
      vars,
    );
    results[name] = [await value.data(), ...(await Promise.all(vars.map((v) => grads[v.name].data())))] as Float32Array[];
    tf.dispose([value, ...Object.values(grads)]);
    model.dispose();
  }
  return results[backend].map((g, i) => ({ label: i === 0 ? 'U-Net step: loss' : `U-Net step: gradient ${i}`, error: relError(g, results.cpu[i]) }));
}

declare global {
  interface Window {
    checkKernels(prefer: 'webgpu' | 'webgl'): Promise<{ backend: string; reason: string; projectFilterGradient: boolean; checks: Check[] }>;
  }
}

window.checkKernels = async (prefer) => {
  const report = await selectBrowserBackend({ prefer, allowSoftwareGpu: true }, () => undefined);
  if (report.name !== prefer) throw new Error(`asked for ${prefer}, got ${report.name}: ${report.reason}`);
  return { backend: report.name, reason: report.reason, projectFilterGradient: isProjectGpuKernel('Conv2DBackpropFilter', prefer), checks: [...(await checkFilterGradients(prefer)), ...(await checkTrainingStep(prefer))] };
};
