// The renderer's one door to the engine: the contract client over whichever transport hosts the
// page. In Electron the preload exposes a transport as `window.seglens.transport`; in a browser
// the page came from `seglens serve` and carries its token. Nothing else talks to the engine.
import { createClient } from '../../../src/api/client.ts';
import type { ContractClient } from '../../../src/api/client.ts';
import { pickTransport } from '../../../src/api/transports/ipc.ts';

export type { ContractClient };
export { startComputeWorker } from '../../../src/api/transports/compute-worker.ts';

export function connect(): ContractClient {
  return createClient(pickTransport());
}
