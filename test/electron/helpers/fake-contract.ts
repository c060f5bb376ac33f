// A small Contract implementation for the Electron plumbing tests: a few methods with real
// results (they must pass the contract's result schemas), the rest refused as not built. It
// records what it was called with, so tests can check that nothing invalid got through.
import { ContractError, ERROR_NAMES } from '../../../src/api/index.ts';
import type { AppInfo, Contract, ContractEvent, ImagePixels, SaveMaskParams, SaveMaskResult } from '../../../src/api/index.ts';

export interface FakeContract {
  impl: Contract;
  calls: { method: string; params: unknown }[];
}

export function fakeContract(emit: (e: ContractEvent) => void = () => {}): FakeContract {
  const calls: { method: string; params: unknown }[] = [];
  const known = {
    async appInfo(): Promise<AppInfo> {
      calls.push({ method: 'appInfo', params: undefined });
      return { version: '9.9.9', project: null, demoDir: '/tmp/demo', training: { monitor: 'meanForegroundDice', minDelta: 0.001, patience: 10 } };
    },
    async getImagePixels(p: { name: string }): Promise<ImagePixels> {
      calls.push({ method: 'getImagePixels', params: p });
      if (p.name !== 'a.tif') throw new ContractError(ERROR_NAMES.notFound, `No image "${p.name}" in the project.`, { what: 'image', value: p.name });
      const data = new Uint16Array([0, 1000, 65535, 42, 7, 9]);
      return { kind: 'image', name: p.name, width: 3, height: 2, channels: 1, bitDepth: 16, dtype: 'uint16', min: 0, max: 65535, display: { lo: 0, hi: 65535 }, data };
    },
    async saveMask(p: SaveMaskParams): Promise<SaveMaskResult> {
      calls.push({ method: 'saveMask', params: p });
      emit({ type: 'mask.saved', payload: { name: p.name, file: `masks-edited/${p.name}.png`, version: 'v2' } });
      return { name: p.name, file: `masks-edited/${p.name}.png`, version: 'v2' };
    },
  };
  const impl = new Proxy(known, {
    get(target, prop) {
      if (prop in target) return target[prop as keyof typeof target];
      return async () => {
        throw new ContractError(ERROR_NAMES.notImplemented, `${String(prop)} is not in the fake.`);
      };
    },
  }) as unknown as Contract;
  return { impl, calls };
}
