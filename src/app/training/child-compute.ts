// The training job's end of a GPU compute lent by the engine (compute-hub.ts): compute messages
// travel over the job's channel to the engine (job-channel.ts) as {type: 'compute', message}, and
// the engine relays them to the page's or the compute window's worker. The channel carries
// structured clones, so typed arrays cross it as they are.
import type { ComputeMessage } from '../../train/compute/protocol.ts';
import type { ComputePort } from '../../train/compute/rpc.ts';
import { onEngineMessage, sendToEngine } from './job-channel.ts';

export interface ComputeEnvelope {
  type: 'compute';
  message: ComputeMessage;
}

export function isComputeEnvelope(raw: unknown): raw is ComputeEnvelope {
  return typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'compute';
}

export function parentComputePort(): ComputePort {
  return {
    post: (message) => sendToEngine({ type: 'compute', message } satisfies ComputeEnvelope),
    listen: (on) =>
      onEngineMessage((raw) => {
        if (isComputeEnvelope(raw)) on(raw.message);
      }),
    onClose: (h) => process.once('disconnect', () => h('the engine closed the channel')),
    close: () => undefined,
  };
}
