// The channel on which main hands the compute window's page its MessagePort (compute-window.ts,
// compute-preload.ts). No imports: the sandboxed preload's bundle must require only 'electron'.
// src/train/compute/page-entry.ts, the page's side, spells the same string.
export const COMPUTE_PORT_CHANNEL = 'seglens:compute-port';
