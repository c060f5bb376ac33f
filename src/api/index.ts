// The contract package: what the renderer, the Electron preload, the web server and the
// workspace import. Browser-safe.
export * from './contract.ts';
export * from './errors.ts';
export * from './wire.ts';
export * from './codec.ts';
export * from './frame.ts';
export * from './client.ts';
export type * from './transport.ts';
export * from './payloads/common.ts';
export * from './payloads/project.ts';
export * from './payloads/pixels.ts';
export * from './payloads/training.ts';
export * from './payloads/metrics.ts';
export * from './payloads/predict.ts';
export * from './payloads/new-project.ts';
export * from './payloads/loop.ts';
export { EVENT_SCHEMAS } from './payloads/events.ts';
export * from './dispatch.ts';
