// The training child's end of a GPU compute lent by the engine (compute-hub.ts): compute messages
// travel over the child's IPC channel as {type: 'compute', message}, and the engine relays them
// to the page's or the compute window's worker. The channel uses Node's advanced serialization,
// so typed arrays cross it as they are.
import type { ComputeMessage } from '../../train/compute/protocol.ts';
import type { ComputePort } from '../../train/compute/rpc.ts';

export interface ComputeEnvelope {
  type: 'compute';
  message: ComputeMessage;
}

export function isComputeEnvelope(raw: unknown): raw is ComputeEnvelope {
  return typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'compute';
}

export function parentComputePort(): ComputePort {
  return {
    post: (message) => {
      process.send?.({ type: 'compute', message } satisfies ComputeEnvelope);
    },
    listen: (on) => {
      const h = (raw: unknown) => {
        if (isComputeEnvelope(raw)) on(raw.message);
      };
      process.on('message', h);
      return () => process.off('message', h);
    },
    onClose: (h) => process.once('disconnect', () => h('the engine closed the channel')),
    close: () => undefined,
  };
}
