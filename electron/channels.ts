// IPC channel names between the preload and the main process. Requests use three fixed channels
// (one per method kind); each contract event has its own channel, listed here by hand so that the
// preload subscribes to exactly the contract's events and nothing else (Electron Fiddle's
// src/preload/preload.ts does the same). `satisfies` makes a missing or extra event a type error.
import type { EventName } from '../src/api/contract.ts';

export const REQUEST_CHANNELS = {
  call: 'seglens:call',
  download: 'seglens:download',
  upload: 'seglens:upload',
} as const;

export type RequestKind = keyof typeof REQUEST_CHANNELS;

export const EVENT_CHANNELS = {
  'project.opened': 'seglens:event:project.opened',
  'task.progress': 'seglens:event:task.progress',
  'mask.saved': 'seglens:event:mask.saved',
  'training.started': 'seglens:event:training.started',
  'training.step': 'seglens:event:training.step',
  'training.epoch': 'seglens:event:training.epoch',
  'training.preview': 'seglens:event:training.preview',
  'training.warning': 'seglens:event:training.warning',
  'training.checkpoint': 'seglens:event:training.checkpoint',
  'training.finished': 'seglens:event:training.finished',
} as const satisfies { [K in EventName]: `seglens:event:${K}` };

export const EVENT_CHANNEL_LIST = Object.entries(EVENT_CHANNELS) as [EventName, string][];
