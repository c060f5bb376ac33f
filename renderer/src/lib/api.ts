// The renderer's one door to the engine: the contract client over whichever transport hosts the
// page. In Electron the preload exposes a transport as `window.seglens.transport`; in a browser
// the page came from `seglens serve` and carries its token. Nothing else talks to the engine.
import { createClient } from '../../../src/api/client.ts';
import type { ContractClient } from '../../../src/api/client.ts';
import type { Transport } from '../../../src/api/transport.ts';
import { createPageTransport } from '../../../src/api/transports/web.ts';

export type { ContractClient };

interface HostWindow {
  seglens?: { transport?: Transport };
}

export function connect(): ContractClient {
  const host = (globalThis as unknown as HostWindow).seglens?.transport;
  return createClient(host ?? createPageTransport());
}
