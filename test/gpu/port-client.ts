// Page code of test/gpu/compute-page.test.ts: plays the preload and the engine of the desktop app's
// compute window inside one page. It posts a MessagePort to the real compute page script (what
// electron/compute-preload.ts does), and drives the worker on the other end with RemoteCompute
// (what the engine's training job does): init, two steps, a prediction, a snapshot.
import { RemoteCompute, fromMessagePort } from '../../src/train/compute/rpc.ts';
import { parseUNetConfig } from '../../src/train/model/config.ts';

declare global {
  interface Window {
    trainThroughPort(): Promise<{ backend: string; software: boolean; losses: number[]; probs: number; sums: number; weights: number }>;
  }
}

window.trainThroughPort = async () => {
  const ch = new MessageChannel();
  window.postMessage('seglens:compute-port', '*', [ch.port1]);
  const compute = new RemoteCompute(fromMessagePort(ch.port2));
  const report = await compute.init({
    model: parseUNetConfig({ depth: 2, baseFilters: 4, inputChannels: 1, numClasses: 3, seed: 1 }),
    optimizer: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, lr: 1e-3 },
    loss: { kind: 'dice-ce', numClasses: 3, backgroundId: 0 },
    backend: { allowSoftwareGpu: true },
  });
  const losses: number[] = [];
  for (let i = 0; i < 2; i++) {
    const x = Float32Array.from({ length: 2 * 32 * 32 }, (_, k) => ((k * 7919) % 101) / 101);
    const y = Int32Array.from({ length: 2 * 32 * 32 }, (_, k) => (k % 32 < 16 ? 0 : k % 3));
    losses.push(await compute.step({ x, y, shape: [2, 32, 32, 1] }));
  }
  const image = { width: 40, height: 36, channels: 1, data: Float32Array.from({ length: 40 * 36 }, (_, k) => (k % 40) / 40) };
  const pred = await compute.predict(image, { tile: 32, overlap: 8, batch: 2 });
  let sums = 0;
  for (let p = 0; p < 40 * 36; p++) sums += Math.abs(pred.probs[p * 3] + pred.probs[p * 3 + 1] + pred.probs[p * 3 + 2] - 1);
  const snap = await compute.snapshot();
  await compute.dispose();
  return { backend: report.name, software: Boolean(report.adapter?.software), losses, probs: pred.probs.length, sums, weights: snap.weights.specs.length };
};
